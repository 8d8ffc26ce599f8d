"""K2·D3 Meal Planner: the domain package (no Streamlit here)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
