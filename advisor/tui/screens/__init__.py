"""One screen per module. Screens render what the app gives them and post messages up."""
