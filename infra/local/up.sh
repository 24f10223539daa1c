#!/usr/bin/env bash
# README command 1: brings up the whole shop on 127.0.0.1, from nothing.
#   LocalStack (DynamoDB Local, S3, SQS, Step Functions, Lambda via the host executor,
#   CloudFormation, Secrets Manager), moto (Cognito + SESv2), localstripe (Stripe's API),
#   OpenSearch; builds every function in one `cargo build` (infra/local/functions.sh), deploys
#   template.yaml as a fresh stack with LocalStack running each function from its build folder
#   (no zips), points the functions' DynamoDB client straight at DynamoDB Local, starts the
#   local HTTP API gateway, makes the local administrator (admin@shop.example, tests/accounts.py)
#   and seeds a sample catalog.
# Knobs: SHOP_BUILD_MODE=debug|release (debug), SHOP_SEED=0 to skip the catalog,
#        SEED_PRODUCTS (300), GATEWAY_PORT (8080), SHOP_STACK (shop-local),
#        SHOP_LOCALSTACK=external to use a LocalStack already listening on LOCALSTACK_PORT
#        (e.g. the LocalStack container, where Docker exists) instead of host mode;
#        FUNCTIONS_MOTO_ENDPOINT: how functions reach moto (default http://127.0.0.1:$MOTO_PORT;
#        functions in containers need the host's address, e.g. http://host.docker.internal:5055),
#        FUNCTIONS_STRIPE_API_BASE: how they reach localstripe (default http://127.0.0.1:$LOCALSTRIPE_PORT),
#        FUNCTIONS_OPENSEARCH_URL: how they reach the OpenSearch node (default http://127.0.0.1:$OPENSEARCH_PORT),
#        SHOP_RESERVATION_WINDOW_SECONDS (60): the checkout's payment window.
# Writes $LOCAL_DIR/env (endpoints and names) for tests and scripts. Stop with down.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$REPO_ROOT/infra/local
STACK=${SHOP_STACK:-shop-local}
BUCKET=shop-local-artifacts
LS=http://127.0.0.1:$LOCALSTACK_PORT
# Local Stripe credentials, named once: stored as Secrets Manager secrets (what the functions read), registered
# with localstripe's webhook and written to $LOCAL_DIR/env for tests. localstripe takes any sk_ key.
STRIPE_API_KEY_SECRET_NAME=shop-local/stripe-api-key
STRIPE_WEBHOOK_SECRET_NAME=shop-local/stripe-webhook-secret
STRIPE_API_KEY=sk_test_local_shop
STRIPE_WEBHOOK_SECRET=whsec_local_shop
STRIPE_WEBHOOK_URL=http://127.0.0.1:$GATEWAY_PORT/payments/webhook
STRIPE_WEBHOOK_EVENTS=(payment_intent.succeeded payment_intent.payment_failed)
# How long a placed order holds its stock awaiting payment: 15 minutes in AWS; a minute here, so the
# tests watch the timeout (and the races around it) happen, while a 200-buyer flash sale on two cores
# (15-60 s) still ends inside one window.
RESERVATION_WINDOW_SECONDS=${SHOP_RESERVATION_WINDOW_SECONDS:-60}
t0=$SECONDS

# The functions' one cargo build is the longest step on a fresh machine (most of 5 minutes on two
# cores; nothing after `cargo test`): it needs only cargo, so it runs while the tools and the
# engines install and start and while the stack deploys (LocalStack reads a function's build folder
# only when the function first runs), and is joined before anything calls a function. Stopped with
# up.sh if up.sh fails.
TEMPLATE_LOCAL=$("$HERE/functions.sh" template)
PATH=$HOME/.cargo/bin:$PATH "$HERE/functions.sh" build 2>"$LOG_DIR/functions.err" &
functions_job=$!
kill_tree() { local child; for child in $(pgrep -P "$1"); do kill_tree "$child"; done; kill "$1" 2>/dev/null || true; }
trap 'kill_tree "$functions_job"' EXIT

TOOLS=$("$HERE/tools/install.sh")
export PATH=$TOOLS:$HOME/.cargo/bin:$PATH

# OpenSearch takes longest to start: run it alongside the rest, join it at the end.
"$HERE/opensearch/start.sh" >"$LOG_DIR/opensearch-start.log" 2>&1 &
opensearch_job=$!
"$HERE/moto/start.sh"
"$HERE/localstripe/start.sh"
if [[ ${SHOP_LOCALSTACK:-host} == external ]]; then
  curl -fsS -o /dev/null "$LS/_localstack/health" || die "SHOP_LOCALSTACK=external but nothing answers at $LS"
else
  LAMBDA_RUNTIME_EXECUTOR=host LAMBDA_KEEPALIVE_MS=${LAMBDA_KEEPALIVE_MS:-600000} "$HERE/localstack/start.sh"
fi

identity=$(MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT python "$HERE/identity.py") || die "creating the local user pool in moto failed"
field() { python -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$identity" "$1"; }
POOL_ID=$(field userPoolId) CLIENT_ID=$(field clientId) ISSUER=$(field issuer) JWKS_URL=$(field jwksUrl)

# The functions' DynamoDB calls go straight to DynamoDB Local (LocalStack starts it shared, on a
# fixed port): LocalStack proxies every DynamoDB call through one Python process, which queued
# them under a few concurrent clients (p99 532 ms against 37 ms direct). Streams are DynamoDB
# Local's own either way. With an external LocalStack (SHOP_LOCALSTACK=external) they go through it.
FUNCTIONS_DYNAMODB_ENDPOINT=""
[[ ${SHOP_LOCALSTACK:-host} == external ]] || FUNCTIONS_DYNAMODB_ENDPOINT=http://127.0.0.1:$DYNAMODB_LOCAL_PORT

export AWS_ENDPOINT_URL=$LS
aws s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1 || aws s3api create-bucket --bucket "$BUCKET" >/dev/null
# put_secret NAME VALUE : the secret holds VALUE, whether or not it existed (an external LocalStack keeps them).
put_secret() {
  aws secretsmanager put-secret-value --secret-id "$1" --secret-string "$2" >/dev/null 2>&1 \
    || aws secretsmanager create-secret --name "$1" --secret-string "$2" >/dev/null \
    || die "could not store the secret $1 in LocalStack"
}
put_secret "$STRIPE_API_KEY_SECRET_NAME" "$STRIPE_API_KEY"
put_secret "$STRIPE_WEBHOOK_SECRET_NAME" "$STRIPE_WEBHOOK_SECRET"
# LocalStack's CloudFormation drops changes on update: always deploy a fresh stack.
if aws cloudformation describe-stacks --stack-name "$STACK" >/dev/null 2>&1; then
  log "deleting the previous stack $STACK"
  aws cloudformation delete-stack --stack-name "$STACK"
  aws cloudformation wait stack-delete-complete --stack-name "$STACK" || die "could not delete stack $STACK"
fi
# The stack is fresh (a new table), so is the search index: drop what an earlier stack indexed.
wait "$opensearch_job" || { cat "$LOG_DIR/opensearch-start.log" >&2; die "OpenSearch failed to start (log: $LOG_DIR/opensearch-start.log)"; }
curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$OPENSEARCH_PORT/products*" \
  || die "clearing the local search index failed"

log "deploying template.yaml as stack $STACK"
if ! sam deploy --template-file "$TEMPLATE_LOCAL" --stack-name "$STACK" --s3-bucket "$BUCKET" \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-confirm-changeset --no-fail-on-empty-changeset \
    --parameter-overrides Architecture=x86_64 DataProtection=false ExternalUserPoolId="$POOL_ID" ExternalUserPoolClientId="$CLIENT_ID" \
      ExternalIssuer="$ISSUER" CognitoEndpoint="${FUNCTIONS_MOTO_ENDPOINT:-http://127.0.0.1:$MOTO_PORT}" \
      SesEndpoint="${FUNCTIONS_MOTO_ENDPOINT:-http://127.0.0.1:$MOTO_PORT}" CreateMailIdentity=false \
      MailQueueVisibilityTimeout=10 MailMaxReceiveCount=2 AuditSdkCalls=1 FunctionTimeout=29 \
      ReservationWindowSeconds="$RESERVATION_WINDOW_SECONDS" StripeApiBase="${FUNCTIONS_STRIPE_API_BASE:-http://127.0.0.1:$LOCALSTRIPE_PORT}" \
      StripeApiKeySecretName="$STRIPE_API_KEY_SECRET_NAME" StripeWebhookSecretName="$STRIPE_WEBHOOK_SECRET_NAME" \
      OpenSearchUrl="${FUNCTIONS_OPENSEARCH_URL:-http://127.0.0.1:$OPENSEARCH_PORT}" \
      DynamoDbEndpoint="$FUNCTIONS_DYNAMODB_ENDPOINT" CarrierCollectionState=DISABLED \
    >"$LOG_DIR/sam-deploy.log" 2>&1; then
  tail -n 20 "$LOG_DIR/sam-deploy.log" >&2
  log "failed resources:"
  aws cloudformation describe-stack-events --stack-name "$STACK" \
    --query "StackEvents[?contains(ResourceStatus,'FAILED')].[LogicalResourceId,ResourceStatusReason]" --output text >&2 || true
  die "deploying $STACK failed (logs: $LOG_DIR/sam-deploy.log, $LOG_DIR/localstack.log)"
fi
output() { aws cloudformation describe-stacks --stack-name "$STACK" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
TABLE_NAME=$(output TableName)
MAIL_QUEUE_URL=$(output MailQueueUrl)
MAIL_DLQ_URL=$(output MailDeadLetterQueueUrl)
CHECKOUT_STATE_MACHINE_ARN=$(output CheckoutStateMachineArn)
PAYMENT_QUEUE_URL=$(output PaymentQueueUrl)
PAYMENT_DLQ_URL=$(output PaymentDeadLetterQueueUrl)
SEARCH_INDEX_DLQ_URL=$(output SearchIndexDeadLetterQueueUrl)
IMPORT_BUCKET=$(output ImportBucketName)
IMPORT_QUEUE_URL=$(output ImportQueueUrl)
IMPORT_DLQ_URL=$(output ImportDeadLetterQueueUrl)
CARRIER_BUCKET=$(output CarrierBucketName)
CARRIER_HANDOFF_FUNCTION=$(output CarrierHandoffFunctionName)
CARRIER_EVENTS_FUNCTION=$(output CarrierEventsFunctionName)
CARRIER_INBOX_QUEUE_URL=$(output CarrierInboxQueueUrl)
CARRIER_INBOX_DLQ_URL=$(output CarrierInboxDeadLetterQueueUrl)
COVERAGE_QUEUE_URL=$(output CoverageQueueUrl)
COVERAGE_DLQ_URL=$(output CoverageDeadLetterQueueUrl)
REFUND_QUEUE_URL=$(output RefundQueueUrl)
REFUND_DLQ_URL=$(output RefundDeadLetterQueueUrl)
REFUND_WORKER_FUNCTION=$(output RefundWorkerFunctionName)
STOCK_WATCH_QUEUE_URL=$(output StockWatchQueueUrl)
COPURCHASE_QUEUE_URL=$(output CoPurchaseQueueUrl)
STOCK_WATCH_DLQ_URL=$(output StockWatchDeadLetterQueueUrl)
EVENT_BUS_NAME=$(output EventBusName)

wait "$functions_job" || { cat "$LOG_DIR/functions.err" >&2; die "building the functions failed"; }
trap - EXIT
cat "$LOG_DIR/functions.err" >&2
# Creating a bucket's notification made S3 put its s3:TestEvent on the queue (the import queue, the
# carrier inbox and coverage queues), and the queue's mapping handed it to its function while the binary was still
# being built: that invocation failed and left the message in flight for the queue's whole visibility
# timeout (90 min), where the tests, which wait for an empty queue, saw it. The stack is new, so
# nothing else can be on these queues yet: purge them (in-flight messages included) now that every
# binary exists.
# (--endpoint-url: this AWS CLI v1 sends SQS calls to queue.amazonaws.com despite AWS_ENDPOINT_URL.)
for queue in "$IMPORT_QUEUE_URL" "$CARRIER_INBOX_QUEUE_URL" "$COVERAGE_QUEUE_URL"; do
  aws --endpoint-url "$LS" sqs purge-queue --queue-url "$queue" || die "purging $queue of its deploy-time test event failed"
done

stop_pid gateway
start_bg gateway "$LOG_DIR/gateway.log" python "$HERE/gateway/gateway.py" --template "$REPO_ROOT/template.yaml" \
  --stack "$STACK" --endpoint "$LS" --port "$GATEWAY_PORT" --issuer "$ISSUER" --audience "$CLIENT_ID" --jwks-url "$JWKS_URL"
wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/_local/routes" 30
# localstripe keeps webhook endpoints in memory (lost on its restart): register ours on every run, under a
# fixed id so this replaces rather than adds. It signs each delivery with the secret, as Stripe does.
# events[] repeated: localstripe wants a list (a plain `events` string is a 400).
webhook_form=(--data-urlencode "url=$STRIPE_WEBHOOK_URL" --data-urlencode "secret=$STRIPE_WEBHOOK_SECRET")
for e in "${STRIPE_WEBHOOK_EVENTS[@]}"; do webhook_form+=(--data-urlencode "events[]=$e"); done
curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$LOCALSTRIPE_PORT/_config/webhooks/shop" "${webhook_form[@]}" \
  || die "registering the payments webhook with localstripe failed (log: $LOG_DIR/localstripe.log)"

cat >"$LOCAL_DIR/env" <<ENV
export SHOP_API_URL=http://127.0.0.1:$GATEWAY_PORT
export AWS_ENDPOINT_URL=$LS
export AWS_REGION=$AWS_REGION AWS_DEFAULT_REGION=$AWS_REGION AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export SHOP_STACK=$STACK
export TABLE_NAME=$TABLE_NAME
export MAIL_QUEUE_URL=$MAIL_QUEUE_URL
export MAIL_DLQ_URL=$MAIL_DLQ_URL
export CHECKOUT_STATE_MACHINE_ARN=$CHECKOUT_STATE_MACHINE_ARN
export PAYMENT_QUEUE_URL=$PAYMENT_QUEUE_URL
export PAYMENT_DLQ_URL=$PAYMENT_DLQ_URL
export SEARCH_INDEX_DLQ_URL=$SEARCH_INDEX_DLQ_URL
export IMPORT_BUCKET=$IMPORT_BUCKET IMPORT_QUEUE_URL=$IMPORT_QUEUE_URL IMPORT_DLQ_URL=$IMPORT_DLQ_URL
export CARRIER_BUCKET=$CARRIER_BUCKET CARRIER_HANDOFF_FUNCTION=$CARRIER_HANDOFF_FUNCTION
export CARRIER_EVENTS_FUNCTION=$CARRIER_EVENTS_FUNCTION
export CARRIER_INBOX_QUEUE_URL=$CARRIER_INBOX_QUEUE_URL CARRIER_INBOX_DLQ_URL=$CARRIER_INBOX_DLQ_URL
export COVERAGE_QUEUE_URL=$COVERAGE_QUEUE_URL COVERAGE_DLQ_URL=$COVERAGE_DLQ_URL
export REFUND_QUEUE_URL=$REFUND_QUEUE_URL REFUND_DLQ_URL=$REFUND_DLQ_URL REFUND_WORKER_FUNCTION=$REFUND_WORKER_FUNCTION
export STOCK_WATCH_QUEUE_URL=$STOCK_WATCH_QUEUE_URL STOCK_WATCH_DLQ_URL=$STOCK_WATCH_DLQ_URL EVENT_BUS_NAME=$EVENT_BUS_NAME
export COPURCHASE_QUEUE_URL=$COPURCHASE_QUEUE_URL
export RESERVATION_WINDOW_SECONDS=$RESERVATION_WINDOW_SECONDS
export USER_POOL_ID=$POOL_ID
export USER_POOL_CLIENT_ID=$CLIENT_ID
export SHOP_ISSUER=$ISSUER
export SHOP_JWKS_URL=$JWKS_URL
export MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT
export STRIPE_API_BASE=http://127.0.0.1:$LOCALSTRIPE_PORT
export STRIPE_API_KEY=$STRIPE_API_KEY STRIPE_WEBHOOK_SECRET=$STRIPE_WEBHOOK_SECRET
export OPENSEARCH_URL=http://127.0.0.1:$OPENSEARCH_PORT
ENV

# The carrier serves nowhere until its coverage is loaded (no order could be placed): load the sample.
log "loading the carrier's coverage (infra/local/carrier/coverage.csv)"
AWS_ENDPOINT_URL=$LS CARRIER_BUCKET=$CARRIER_BUCKET TABLE_NAME=$TABLE_NAME python "$HERE/coverage.py" \
  || die "loading the carrier's coverage failed"

log "making the local administrator"
SHOP_API_URL=http://127.0.0.1:$GATEWAY_PORT MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT USER_POOL_ID=$POOL_ID \
  python "$HERE/admin.py" >/dev/null || die "making the local administrator failed"

if [[ ${SHOP_SEED:-1} != 0 ]]; then
  log "seeding the sample catalog"
  SHOP_API_URL=http://127.0.0.1:$GATEWAY_PORT TABLE_NAME=$TABLE_NAME MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT \
    python "$HERE/seed.py" || die "seeding failed"
fi

leaks=$(non_loopback_listeners)
[[ -z $leaks ]] || die "a local server listens beyond 127.0.0.1: $leaks"
log "shop is up in $((SECONDS - t0))s: http://127.0.0.1:$GATEWAY_PORT (table $TABLE_NAME; env in $LOCAL_DIR/env; stop: infra/local/down.sh)"
