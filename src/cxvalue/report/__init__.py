"""Outputs: the report configuration, board pack, summary and snapshot."""

from cxvalue.report.config import Config, InputSpec, ModelSpec, ValueSpec, load_config

__all__ = ["Config", "InputSpec", "ModelSpec", "ValueSpec", "load_config"]
