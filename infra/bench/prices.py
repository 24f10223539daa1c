"""AWS list prices the cost benchmark (cost.py) applies: us-east-1, on-demand, no free tier,
as published on each service's pricing page. Checked 2026-12-07; update them here only.
Units are US dollars."""

PRICED_ON = "2026-12-07"
REGION = "us-east-1"

# Variable: per unit used.
API_GATEWAY_HTTP_PER_MILLION = 1.00            # HTTP API requests (first 300 million a month)
LAMBDA_REQUEST_PER_MILLION = 0.20
LAMBDA_ARM64_PER_GB_SECOND = 0.0000133334      # first 6 billion GB-s a month
DYNAMODB_WRU_PER_MILLION = 0.625               # on-demand write request units
DYNAMODB_RRU_PER_MILLION = 0.125               # on-demand read request units
STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.025  # standard workflows
SQS_STANDARD_PER_MILLION = 0.40                # per 64 KB request chunk
SQS_FIFO_PER_MILLION = 0.50
SES_PER_THOUSAND_MAILS = 0.10                  # outbound, from Lambda (no EC2 free tier)
CLOUDWATCH_LOGS_INGESTED_PER_GB = 0.50         # standard log class
S3_PUT_PER_THOUSAND = 0.005                    # PUT, COPY, POST, LIST
S3_GET_PER_THOUSAND = 0.0004                   # GET, SELECT and the rest
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00          # custom events published
XRAY_PER_MILLION_TRACES = 5.00                 # traces recorded
# X-Ray's default sampling rule records the first request each second and 5% of the rest:
# at a shop's steady traffic nearly every trace beyond the first per second is sampled out.
XRAY_SAMPLED_SHARE = 0.05

# Fixed: per month, whatever the traffic (the stack's defaults).
OPENSEARCH_T3_SMALL_PER_HOUR = 0.036           # one t3.small.search data node
OPENSEARCH_GP3_PER_GB_MONTH = 0.122            # its 10 GB volume
CLOUDWATCH_ALARM_METRIC_PER_MONTH = 0.10       # standard resolution, per metric in an alarm
CLOUDWATCH_DASHBOARD_PER_MONTH = 3.00
CLOUDWATCH_CUSTOM_METRIC_PER_MONTH = 0.30      # first 10,000 metrics
HOURS_PER_MONTH = 730
