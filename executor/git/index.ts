// Git sources: resolving refs for the planner, checking out a planned repository.
export { type CheckoutOptions, checkoutGit, commitTime, GitCheckoutError } from './checkout.js';
export { GitCommandError, runGit } from './git-cli.js';
export { type GitHttpAuth, gitAuthSecretNames, gitHttpAuth, type SecretLookup } from './http-auth.js';
export { GitResolveError, type GitResolverOptions, gitResolver } from './resolve.js';
