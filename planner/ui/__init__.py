"""The Streamlit pages and their shared state and widgets (the only code importing Streamlit)."""
