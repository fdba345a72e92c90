import pytest

from ringback.adapters.tables import table_specs
from ringback.settings import SECRET_KEYS, Settings, SettingsError, load_settings

BASE = {
    "RINGBACK_STAGE": "test",
    "AWS_REGION": "eu-west-1",
    "RINGBACK_TABLE_PREFIX": "ringback-test-",
    "RINGBACK_RECORDINGS_BUCKET": "rec",
    "RINGBACK_ANALYTICS_BUCKET": "ana",
    "RINGBACK_FRONTEND_BUCKET": "web",
    "RINGBACK_PUBLIC_BASE_URL": "https://calls.example.com/",
}


def test_missing_variables_are_named_at_start():
    env = dict(BASE)
    del env["RINGBACK_TABLE_PREFIX"]
    del env["AWS_REGION"]
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    assert "RINGBACK_TABLE_PREFIX" in str(error.value) and "AWS_REGION" in str(error.value)


def test_public_url_must_be_http():
    with pytest.raises(SettingsError, match="RINGBACK_PUBLIC_BASE_URL"):
        load_settings({**BASE, "RINGBACK_PUBLIC_BASE_URL": "calls.example.com"})


def test_settings_survive_the_trip_through_a_function_environment():
    settings = Settings(
        stage="prod", region="us-east-1", aws_endpoint_url=None, table_prefix="ringback-prod-",
        recordings_bucket="r", analytics_bucket="a", frontend_bucket="f",
        public_base_url="https://x.example", twilio_account_sid="AC1", twilio_auth_token="secret",
    )
    assert load_settings(settings.as_environment()) == settings


def test_table_names_cover_every_model_with_the_prefix():
    settings = load_settings(BASE)
    names = settings.table_names()
    assert names["calls"] == "ringback-test-calls"
    assert all(name.startswith("ringback-test-") for name in names.values())
    assert len(names) == len(table_specs())


def test_auth_token_is_not_printed_with_the_settings():
    settings = load_settings({**BASE, "RINGBACK_TWILIO_AUTH_TOKEN": "very-secret"})
    assert "very-secret" not in repr(settings)


def test_the_secret_fills_credentials_the_environment_does_not_give():
    settings = load_settings({**BASE, "RINGBACK_SECRETS_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:app"})
    assert settings.secrets_arn.endswith(":secret:app") and settings.twilio_auth_token is None
    filled = settings.with_secrets({"twilio_account_sid": "AC1", "twilio_auth_token": "tok", "analytics_key": "k",
                                    "unrelated": "x"})
    assert (filled.twilio_account_sid, filled.twilio_auth_token, filled.analytics_key) == ("AC1", "tok", "k")
    # What the environment sets wins; an empty value in the secret fills nothing.
    given = load_settings({**BASE, "RINGBACK_TWILIO_AUTH_TOKEN": "from-env"}).with_secrets(
        {"twilio_auth_token": "from-secret", "analytics_key": ""})
    assert given.twilio_auth_token == "from-env" and given.analytics_key is None
    assert "tok" not in repr(filled) and "'k'" not in repr(filled)
    # Every key the secret holds fills its field (with_secrets names them one by one).
    every = settings.with_secrets(dict.fromkeys(SECRET_KEYS, "v"))
    assert all(getattr(every, name) == "v" for name in SECRET_KEYS)


def test_two_functions_of_one_local_stack_agree_on_the_fast_product_time():
    # Each function builds its clock at its own cold start; the stack's origin makes the
    # late one agree with the early one instead of running minutes behind it.
    import time

    from ringback.clock import ScaledClock

    origin = time.time_ns() // 1_000_000 - 3_000  # the stack started 3 real s ago
    settings = load_settings({**BASE, "RINGBACK_TIME_SCALE": "0.01", "RINGBACK_TIME_ORIGIN_MS": str(origin)})
    assert load_settings(settings.as_environment()) == settings
    early = ScaledClock(settings.time_scale, settings.time_origin_ms)
    time.sleep(0.05)
    late = ScaledClock(settings.time_scale, settings.time_origin_ms)
    assert abs(late.now_ms() - early.now_ms()) < 2_000  # within 20 real ms of each other
    # 3 real seconds at scale 0.01 are 5 product minutes past the origin.
    assert early.now_ms() - origin >= 300_000
    with pytest.raises(SettingsError, match="RINGBACK_TIME_ORIGIN_MS"):
        load_settings({**BASE, "RINGBACK_TIME_ORIGIN_MS": "soon"})
