// The pages a signed-out visitor sees: sign in, sign up, confirm the e-mail, reset the
// password, and choose one (an invited colleague's first sign-in).
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { LANGUAGES, type Language, type TextKey, type Translate } from "../i18n";
import { type Auth, AuthError } from "./cognito";
import { type Refusal, signUpRefusal } from "./refusal";

interface Props {
  auth: Auth;
  t: Translate;
  onSignedIn: () => void;
  language: Language;
  setLanguage: (language: Language) => void;
}

// Cognito's exception names, in words.
const ERRORS: Record<string, TextKey> = {
  UsernameExistsException: "errUserExists",
  NotAuthorizedException: "errBadCredentials",
  UserNotFoundException: "errBadCredentials",
  UserNotConfirmedException: "errNotConfirmed",
  CodeMismatchException: "errBadCode",
  ExpiredCodeException: "errExpiredCode",
  InvalidPasswordException: "errWeakPassword",
  LimitExceededException: "errTooMany",
  TooManyRequestsException: "errTooMany",
  TooManyFailedAttemptsException: "errTooMany",
  InvalidParameterException: "errInvalid",
};

export function authErrorText(error: unknown, t: Translate): string {
  const code = error instanceof AuthError ? error.code : "Unknown";
  const message = error instanceof Error ? error.message : String(error);
  const refusal = signUpRefusal(code, message);
  if (refusal) return refusalText(refusal, t);
  return t(ERRORS[code] ?? "errOther", { message });
}

// The pre-sign-up check's refusals in our words (refusal.ts): Cognito's text is not shown.
export function refusalText(refusal: Refusal, t: Translate): string {
  if (refusal.reason === "disposable") return t("errSignUpDisposable");
  if (refusal.reason === "rate") {
    return refusal.minutes ? t("errSignUpRate", { minutes: refusal.minutes }) : t("errSignUpRateSoon");
  }
  if (refusal.reason === "invalid_email") return t("errSignUpInvalidEmail");
  if (refusal.reason === "unavailable") return t("errSignUpUnavailable");
  return t("errSignUpRefused");
}

export function AuthPages(props: Props) {
  const { path, query, route } = useLocation();
  const email = query.email ?? "";
  const go = (to: string, params: Record<string, string> = {}) => {
    const search = new URLSearchParams(params).toString();
    route(`/app/${to}${search ? `?${search}` : ""}`);
  };
  const step = path.replace(/^\/app\/?/, "");
  let page;
  if (step === "sign-up") page = <SignUp {...props} go={go} />;
  else if (step === "verify") page = <Verify {...props} go={go} email={email} />;
  else if (step === "reset") page = <Reset {...props} go={go} email={email} />;
  else if (step === "new-password") page = <NewPassword {...props} go={go} />;
  else page = <SignIn {...props} go={go} email={email} notice={query.notice as TextKey | undefined} />;
  return (
    <main id="main" class="auth">
      <p class="brand">Ringback</p>
      {page}
      <label class="inline language">
        <span class="visually-hidden">{props.t("language")}</span>
        <select value={props.language} onChange={(e) => props.setLanguage((e.target as HTMLSelectElement).value as Language)}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{l === "en" ? "English" : "Русский"}</option>)}
        </select>
      </label>
    </main>
  );
}

type Go = (to: string, params?: Record<string, string>) => void;

// A form that runs one request and shows its failure in words.
function AuthForm({ title, t, submit, label, children, after }: {
  title: string; t: Translate; submit: () => Promise<void>; label: string; children: ComponentChildren; after?: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form class="card" noValidate={false} aria-labelledby="page-title" onSubmit={async (event) => {
      event.preventDefault();
      setBusy(true);
      setError(null);
      try {
        await submit();
      } catch (e) {
        setError(authErrorText(e, t));
      } finally {
        setBusy(false);
      }
    }}>
      <h1 id="page-title">{title}</h1>
      {children}
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit" disabled={busy}>{label}</button>
      {after && <div class="after">{after}</div>}
    </form>
  );
}

function Input({ id, label, type = "text", value, set, autocomplete, hint }: {
  id: string; label: string; type?: string; value: string; set: (v: string) => void; autocomplete?: string; hint?: string;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} name={id} type={type} required value={value} autocomplete={autocomplete}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => set((e.target as HTMLInputElement).value)} />
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
    </div>
  );
}

function SignIn({ auth, t, onSignedIn, go, email: initial, notice }: Props & { go: Go; email: string; notice?: TextKey }) {
  const [email, setEmail] = useState(initial);
  const [password, setPassword] = useState("");
  return (
    <AuthForm title={t("signInTitle")} t={t} label={t("signIn")} submit={async () => {
      try {
        const outcome = await auth.signIn(email.trim(), password);
        if (outcome === "new_password") go("new-password");
        else { go("calls"); onSignedIn(); }
      } catch (error) {
        if (error instanceof AuthError && error.code === "UserNotConfirmedException") go("verify", { email: email.trim() });
        else throw error;
      }
    }} after={<>
      <a href={`/app/reset${email ? `?email=${encodeURIComponent(email)}` : ""}`}>{t("forgot")}</a>
      <a href="/app/sign-up">{t("noAccountYet")}</a>
    </>}>
      {notice && (notice === "verified" || notice === "passwordChanged") && <p role="status" class="ok">{t(notice)}</p>}
      <Input id="email" label={t("email")} type="email" value={email} set={setEmail} autocomplete="username" />
      <Input id="password" label={t("password")} type="password" value={password} set={setPassword} autocomplete="current-password" />
    </AuthForm>
  );
}

function SignUp({ auth, t, go }: Props & { go: Go }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  return (
    <AuthForm title={t("signUpTitle")} t={t} label={t("signUp")} submit={async () => {
      await auth.signUp(email.trim(), password);
      go("verify", { email: email.trim() });
    }} after={<a href="/app/sign-in">{t("haveAccount")}</a>}>
      <Input id="email" label={t("email")} type="email" value={email} set={setEmail} autocomplete="username" />
      <Input id="password" label={t("password")} type="password" value={password} set={setPassword}
        autocomplete="new-password" hint={t("passwordRule")} />
    </AuthForm>
  );
}

function Verify({ auth, t, go, email }: Props & { go: Go; email: string }) {
  const [code, setCode] = useState("");
  const [resent, setResent] = useState(false);
  return (
    <AuthForm title={t("verifyTitle")} t={t} label={t("verify")} submit={async () => {
      await auth.confirm(email, code.trim());
      go("sign-in", { email, notice: "verified" });
    }} after={<button type="button" class="link" onClick={async () => { await auth.resendCode(email); setResent(true); }}>{t("resendCode")}</button>}>
      <p>{t("verifySent", { email })}</p>
      {resent && <p role="status" class="ok">{t("codeResent")}</p>}
      <Input id="code" label={t("emailCode")} value={code} set={setCode} autocomplete="one-time-code" />
    </AuthForm>
  );
}

function Reset({ auth, t, go, email: initial }: Props & { go: Go; email: string }) {
  const [email, setEmail] = useState(initial);
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  if (!sent) {
    return (
      <AuthForm title={t("resetTitle")} t={t} label={t("sendCode")} submit={async () => {
        await auth.forgotPassword(email.trim());
        setSent(true);
      }} after={<a href="/app/sign-in">{t("haveAccount")}</a>}>
        <Input id="email" label={t("email")} type="email" value={email} set={setEmail} autocomplete="username" />
      </AuthForm>
    );
  }
  return (
    <AuthForm title={t("resetTitle")} t={t} label={t("setPassword")} submit={async () => {
      await auth.confirmPassword(email.trim(), code.trim(), password);
      go("sign-in", { email: email.trim(), notice: "passwordChanged" });
    }}>
      <p role="status">{t("resetSent", { email })}</p>
      <Input id="code" label={t("emailCode")} value={code} set={setCode} autocomplete="one-time-code" />
      <Input id="password" label={t("newPassword")} type="password" value={password} set={setPassword}
        autocomplete="new-password" hint={t("passwordRule")} />
    </AuthForm>
  );
}

function NewPassword({ auth, t, onSignedIn, go }: Props & { go: Go }) {
  const [password, setPassword] = useState("");
  return (
    <AuthForm title={t("newPasswordTitle")} t={t} label={t("setPassword")} submit={async () => {
      await auth.setNewPassword(password);
      go("calls");
      onSignedIn();
    }}>
      <Input id="password" label={t("newPassword")} type="password" value={password} set={setPassword}
        autocomplete="new-password" hint={t("passwordRule")} />
    </AuthForm>
  );
}
