"""The local development server behind `make serve` and `make contract`: the app, routed and
answered as API Gateway answers it in production. Not part of the Lambda package."""
