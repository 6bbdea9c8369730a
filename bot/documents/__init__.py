"""Documents rendered from the domain's results: the commune's .docx, the rollup's .docx, .xlsx and chart, and the worker processes that render them."""
