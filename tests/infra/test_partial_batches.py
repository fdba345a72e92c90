"""Every queue- and stream-fed worker answers with a partial batch response, and its event
source mapping asks for one (ReportBatchItemFailures): without it Lambda ignores the
answer, and one bad delivery would bring its whole batch back. And no secret reaches a
function through its environment: the app secret is read at run time by its ARN."""


def test_every_queue_and_stream_mapping_reports_batch_item_failures(synth):
    mappings = synth.of_type("AWS::Lambda::EventSourceMapping")
    assert mappings, "the events worker and the changes worker have event sources"
    queue = synth.logical_id(synth.stack.dialer.events)
    sources = {}
    for mapping in mappings.values():
        props = mapping["Properties"]
        arn = props.get("EventSourceArn")
        sources[str(arn)] = props
        assert "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []), arn
    assert str({"Fn::GetAtt": [queue, "Arn"]}) in sources


def test_no_function_finds_a_secret_value_in_its_environment(synth):
    secret_names = ("RINGBACK_TWILIO_AUTH_TOKEN", "RINGBACK_ANALYTICS_KEY")
    functions = synth.of_type("AWS::Lambda::Function")
    told = []
    for logical_id, function in functions.items():
        env = function["Properties"].get("Environment", {}).get("Variables", {})
        assert not set(secret_names) & set(env), logical_id
        if "RINGBACK_SECRETS_ARN" in env:
            told.append(logical_id)
    worker = synth.logical_id(synth.stack.functions.workers["dialer-events"])
    dialer = synth.logical_id(synth.stack.functions.functions["dialer"])
    # The webhook check reads the carrier token from the secret, by its ARN.
    assert dialer in told and worker in functions
