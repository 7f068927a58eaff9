"""The op library: one module per family, each primitive declared once with its VJPs."""
