"""Exports: JSON, CSV and Excel rows, and the standard tables (xlsx, docx, pdf)."""
