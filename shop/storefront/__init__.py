"""The reference storefront: static HTML, CSS and JavaScript modules (no build
step) that speak to the shop only through graphql/operations/storefront/."""
