"""The directors' pipeline review: funnel, forecast, aging, conversion, compliance, gaps and the
week's movement (PRODUCT.md, Pipeline figures)."""
