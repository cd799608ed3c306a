"""State changes of stores: each module is one use case, views and tasks call them."""
