"""The report template declared as data, and everything that reads the declaration."""

from .findings import Code, Finding, Severity
from .loader import SchemaError, load_schema, parse_schema
from .model import Column, Field, FieldType, Indicator, Rule, Schema, Tab, Table
from .parser import assess, parse_report
from .raw import Block, Cell, RawReport
from .report import IndicatorResult, ParseContext, ParsedReport
from .template import UnitInfo, render_template

__all__ = [
    "Block", "Cell", "Code", "Column", "Field", "FieldType", "Finding", "Indicator",
    "IndicatorResult", "ParseContext", "ParsedReport", "RawReport", "Rule", "Schema",
    "SchemaError", "Severity", "Tab", "Table", "UnitInfo", "assess", "load_schema",
    "parse_report", "parse_schema", "render_template",
]  # fmt: skip
