"""Key accounts the MCR way (PRODUCT.md, capability 6): tiering, plans, expectations, spend
and visit briefings."""
