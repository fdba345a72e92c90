"""What every table model shares."""
class TableMeta:
    # Placeholders until bind_tables() runs; a model used unbound fails loudly on the
    # placeholder region rather than silently reaching a real account.
    region = "unbound"
    host = None
    billing_mode = "PAY_PER_REQUEST"
    stream_view_type = None  # tables that feed analytics set NEW_AND_OLD_IMAGES


class StreamedMeta(TableMeta):
    # Analytics (functions/reports) consumes these tables' changes from DynamoDB Streams.
    stream_view_type = "NEW_AND_OLD_IMAGES"
