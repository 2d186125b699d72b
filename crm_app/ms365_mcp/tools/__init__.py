"""Tool modules; each exposes `TOOLS`, its table of tool specs (see `common.ToolSpec`)."""
