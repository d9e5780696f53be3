#include "stripeconnector.h"

#include "jsonscan.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace {

struct StripeEntity
{
    const char *name;
    const char *label;
    const char *description;
};

const StripeEntity kEntities[] = {
    {"customers", "Customers", "People and companies you charge"},
    {"charges", "Charges", "Attempts to move money from a card or account"},
    {"invoices", "Invoices", "Statements of amounts owed by customers"},
    {"subscriptions", "Subscriptions", "Recurring charges to customers"},
    {"products", "Products", "Goods and services you sell"},
    {"prices", "Prices", "How much and how often products cost"},
    {"payment_intents", "Payment intents", "The lifecycle of each payment"},
    {"refunds", "Refunds", "Money returned to customers"},
    {"balance_transactions", "Balance transactions", "Every movement of your Stripe balance"},
};

// Stripe's error body: {"error": {"type": "...", "code": "...", "message": "..."}}.
QString stripeMessage(const QByteArray &body)
{
    const QJsonObject error =
        QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toObject();
    return error.value(QStringLiteral("message")).toString();
}

} // namespace

namespace {
// Fields Stripe documents as Unix timestamps (seconds), wherever they appear at the top of an object.
const char *const kTimestampFields[] = {"created",
                                        "canceled_at",
                                        "cancel_at",
                                        "ended_at",
                                        "period_start",
                                        "period_end",
                                        "current_period_start",
                                        "current_period_end",
                                        "billing_cycle_anchor",
                                        "start_date",
                                        "trial_start",
                                        "trial_end",
                                        "due_date",
                                        "available_on",
                                        "updated",
                                        "effective_at",
                                        "next_payment_attempt",
                                        "webhooks_delivered_at"};
} // namespace

ConnectorMetadata StripeConnector::staticMetadata()
{
    ConnectorMetadata metadata;
    metadata.id = QStringLiteral("stripe");
    metadata.name = QStringLiteral("Stripe");
    metadata.version = QStringLiteral("1.0.0");
    metadata.description =
        QStringLiteral("Payments data from Stripe: customers, charges, invoices, subscriptions, "
                       "products, prices, payment intents, refunds and balance transactions.");
    metadata.iconPath = QStringLiteral(":/connectors/stripe/icon.svg");
    metadata.documentationUrl = QStringLiteral("https://docs.stripe.com/api");
    for (const StripeEntity &e : kEntities) {
        EntityInfo info;
        info.name = QString::fromLatin1(e.name);
        info.label = QString::fromLatin1(e.label);
        info.description = QString::fromLatin1(e.description);
        info.primaryKey = QStringLiteral("id");
        // Stripe lists filter on `created` only: new records are picked up, edits to old ones are not.
        info.incremental = IncrementalMode::CreatedOnly;
        info.cursorField = QStringLiteral("created");
        // Stripe sends times as Unix seconds; a list object's elements are its `data`.
        for (const char *field : kTimestampFields)
            info.schema.declared.insert(QString::fromLatin1(field), FieldType::Timestamp);
        info.childViews = {{QStringLiteral("lines.data"), QStringLiteral("lines")},
                           {QStringLiteral("items.data"), QStringLiteral("items")},
                           {QStringLiteral("refunds.data"), QStringLiteral("refunds")}};
        metadata.entities.append(info);
    }
    ConfigField apiKey;
    apiKey.name = QStringLiteral("api_key");
    apiKey.label = QStringLiteral("Secret key");
    apiKey.type = ConfigField::Type::Secret;
    apiKey.required = true;
    apiKey.placeholder = QStringLiteral("sk_live_… or rk_live_…");
    apiKey.help =
        QStringLiteral("A secret or restricted key from the Stripe Dashboard → Developers → API keys. "
                       "A restricted key needs read access to the entities you sync.");
    metadata.config = {apiKey};
    metadata.config += commonHttpConfigFields(QStringLiteral("https://api.stripe.com"), 100);
    return metadata;
}

HttpResponse StripeConnector::get(const QString &path, const QList<QPair<QString, QString>> &query)
{
    QUrl url = baseUrl();
    url.setPath(url.path() + path);
    if (!query.isEmpty()) {
        QUrlQuery q;
        for (const auto &item : query)
            q.addQueryItem(item.first, item.second);
        url.setQuery(q);
    }
    const QByteArray auth = "Bearer " + configString(QStringLiteral("api_key")).toUtf8();
    return http().get(url, {{"Authorization", auth}, {"Stripe-Version", "2024-06-20"}});
}

void StripeConnector::throwApiError(const HttpResponse &response)
{
    const QString apiMessage = stripeMessage(response.body);
    const QString where = http().failureMessage(response, apiMessage);
    switch (response.status) {
    case 0:
        throw ConnectorError(
            QStringLiteral("Cannot reach Stripe: %1. Check the base URL and your network.").arg(where),
            ConnectorError::Kind::Network);
    case 401:
        throw ConnectorError(
            QStringLiteral("Invalid API key: Stripe refused it (%1). Copy the secret key again "
                           "from the Dashboard → Developers → API keys.")
                .arg(http().redact(apiMessage.isEmpty() ? where : apiMessage)),
            ConnectorError::Kind::Auth);
    case 403:
        throw ConnectorError(
            QStringLiteral("The API key may not read this: %1. Give the restricted key read access.")
                .arg(where),
            ConnectorError::Kind::Auth);
    case 429:
        if (response.refusedWaitMs > 0) // the wait it asked for is longer than the connection allows
            throw ConnectorError(QStringLiteral("Stripe: %1").arg(where), ConnectorError::Kind::RateLimit);
        throw ConnectorError(QStringLiteral("Stripe kept rate-limiting the sync (%1). Raise \"Delay between "
                                            "requests\" under Advanced, then sync again: it resumes.")
                                 .arg(where),
                             ConnectorError::Kind::RateLimit);
    default:
        if (response.status >= 500)
            throw ConnectorError(
                QStringLiteral("Stripe failed to answer (%1). Sync again later: it resumes.").arg(where),
                ConnectorError::Kind::Api);
        throw ConnectorError(where, ConnectorError::Kind::Api);
    }
}

TestResult StripeConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        HttpResponse response = get(QStringLiteral("/v1/account"));
        if (response.status == 403) // restricted keys may not read the account: a cheap list proves the key
            response = get(QStringLiteral("/v1/customers"), {{QStringLiteral("limit"), QStringLiteral("1")}});
        if (!response.ok())
            throwApiError(response);
        const QJsonObject account = QJsonDocument::fromJson(response.body).object();
        const QString id = account.value(QStringLiteral("id")).toString();
        const QString name = account.value(QStringLiteral("settings"))
                                 .toObject()
                                 .value(QStringLiteral("dashboard"))
                                 .toObject()
                                 .value(QStringLiteral("display_name"))
                                 .toString();
        result.success = true;
        if (id.isEmpty())
            result.message = QStringLiteral("Connected to Stripe");
        else if (name.isEmpty())
            result.message = QStringLiteral("Connected to Stripe account %1").arg(id);
        else
            result.message = QStringLiteral("Connected to Stripe account \"%1\" (%2)").arg(name, id);
        return result;
    });
}

FetchState StripeConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    FetchState state = options.state;
    const QString path = QStringLiteral("/v1/") + options.entity;
    const int limit = qBound(1, options.batchSize, 100);
    while (state.hasMore && state.iterationsInChunk < options.maxIterations) {
        throwIfCancelled();
        QList<QPair<QString, QString>> query{{QStringLiteral("limit"), QString::number(limit)}};
        if (!state.cursor.isEmpty())
            query.append({QStringLiteral("starting_after"), state.cursor});
        else
            query.append({QStringLiteral("include[]"), QStringLiteral("total_count")});
        if (options.since.isDouble())
            query.append({QStringLiteral("created[gte]"), QString::number(options.since.toInteger())});
        const HttpResponse response = get(path, query);
        if (!response.ok())
            throwApiError(response);

        // Typed page: {"object": "list", "data": [...], "has_more": bool}. Records are kept as sent.
        const QString url = response.url.toString();
        JsonScan::Result scan;
        const JsonScan::Page page = JsonScan::scanPage(response.body, "data", {"id", "created"}, &scan);
        const QByteArrayView hasMore = page.member("has_more");
        if (!scan.ok || !page.hasArray || (hasMore != "true" && hasMore != "false"))
            throw ConnectorError(
                QStringLiteral("Stripe sent a page that is not a list from %1 (%2). Nothing from this "
                               "page was saved; sync again to retry it.")
                    .arg(url, !scan.ok         ? scan.error
                              : !page.hasArray ? QStringLiteral("no \"data\" array")
                                               : QStringLiteral("no \"has_more\" flag")),
                ConnectorError::Kind::Malformed);
        const QByteArrayView totalCount = page.member("total_count");
        if (!totalCount.isEmpty())
            state.total = totalCount.toByteArray().toLongLong();

        RecordBatch batch;
        batch.reserve(page.items.size());
        qint64 highWater = state.highWater.isDouble() ? state.highWater.toInteger() : -1;
        for (const JsonScan::Item &item : page.items) {
            const QByteArrayView id = item.fields[0];
            if (id.isEmpty() || id.front() != '"')
                throw ConnectorError(
                    QStringLiteral("Stripe sent a record without an \"id\" from %1 (record %2 of the "
                                   "page)")
                        .arg(url)
                        .arg(batch.size() + 1),
                    ConnectorError::Kind::Malformed);
            bool isNumber = false;
            const qint64 created = QByteArrayView(item.fields[1]).toLongLong(&isNumber);
            if (isNumber)
                highWater = qMax(highWater, created);
            batch.append(Record{JsonScan::keyText(id), item.raw.toByteArray()});
        }
        if (highWater >= 0)
            state.highWater = highWater;
        if (!batch.isEmpty())
            state.cursor = QString::fromUtf8(batch.constLast().key);
        state.totalProcessed += batch.size();
        state.hasMore = hasMore == "true" && !batch.isEmpty();
        ++state.page;
        ++state.iterationsInChunk;
        if (options.onBatch)
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, state.total);
    }
    return state;
}
