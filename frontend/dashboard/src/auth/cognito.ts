// Sign-up, verification, sign-in (SRP: the password never leaves the browser) and password
// reset against the dashboard's Cognito user pool, with amazon-cognito-identity-js.
import {
  AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool, type CognitoUserSession,
} from "amazon-cognito-identity-js";
import type { DashboardConfig } from "../config";

export class AuthError extends Error {
  // Cognito's exception name (UsernameExistsException, CodeMismatchException, …), which
  // the pages turn into words.
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function asAuthError(error: unknown): AuthError {
  const e = error as { code?: string; name?: string; message?: string };
  return new AuthError(e.code ?? e.name ?? "Unknown", e.message ?? String(error));
}

export class Auth {
  private readonly pool: CognitoUserPool;
  private challenged: CognitoUser | null = null;

  constructor(config: DashboardConfig, private readonly storage: Storage = window.localStorage) {
    this.pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      endpoint: config.cognitoEndpoint ?? undefined,
      Storage: storage,
    });
  }

  private user(email: string): CognitoUser {
    return new CognitoUser({ Username: email, Pool: this.pool, Storage: this.storage });
  }

  signUp(email: string, password: string): Promise<void> {
    const attributes = [new CognitoUserAttribute({ Name: "email", Value: email })];
    return new Promise((resolve, reject) =>
      this.pool.signUp(email, password, attributes, [], (error) => (error ? reject(asAuthError(error)) : resolve())));
  }

  confirm(email: string, code: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(email).confirmRegistration(code, true, (error) => (error ? reject(asAuthError(error)) : resolve())));
  }

  resendCode(email: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(email).resendConfirmationCode((error) => (error ? reject(asAuthError(error)) : resolve())));
  }

  // Resolves "signed_in", or "new_password" for an invited user still on the temporary
  // password the invitation e-mail gave them: they choose theirs with setNewPassword().
  signIn(email: string, password: string): Promise<"signed_in" | "new_password"> {
    const details = new AuthenticationDetails({ Username: email, Password: password });
    const user = this.user(email);
    return new Promise((resolve, reject) =>
      user.authenticateUser(details, {
        onSuccess: () => resolve("signed_in"),
        onFailure: (error) => reject(asAuthError(error)),
        newPasswordRequired: () => {
          this.challenged = user;
          resolve("new_password");
        },
      }));
  }

  setNewPassword(password: string): Promise<void> {
    const user = this.challenged;
    if (!user) return Promise.reject(new AuthError("NotAuthorizedException", "sign in again"));
    return new Promise((resolve, reject) =>
      user.completeNewPasswordChallenge(password, {}, {
        onSuccess: () => { this.challenged = null; resolve(); },
        onFailure: (error) => reject(asAuthError(error)),
      }));
  }

  forgotPassword(email: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(email).forgotPassword({ onSuccess: () => resolve(), onFailure: (error) => reject(asAuthError(error)) }));
  }

  confirmPassword(email: string, code: string, password: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.user(email).confirmPassword(code, password, {
        onSuccess: () => resolve(), onFailure: (error) => reject(asAuthError(error)),
      }));
  }

  // The signed-in user's ID token, refreshed with the refresh token when it has expired;
  // null when nobody is signed in (or the refresh token is no longer accepted).
  idToken(): Promise<string | null> {
    const user = this.pool.getCurrentUser();
    if (!user) return Promise.resolve(null);
    return new Promise((resolve) =>
      user.getSession((error: Error | null, session: CognitoUserSession | null) =>
        resolve(error || !session?.isValid() ? null : session.getIdToken().getJwtToken())));
  }

  signOut(): void {
    this.pool.getCurrentUser()?.signOut();
  }
}
