"""The 1988 prison massacres records: model, validation, releases and the API's logic."""
