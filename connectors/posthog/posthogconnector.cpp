#include "posthogconnector.h"

#include "jsonscan.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace {

const char kUsCloud[] = "https://us.posthog.com";
const char kEuCloud[] = "https://eu.posthog.com";

struct PostHogEntity
{
    const char *name;
    const char *label;
    const char *path; // REST list path under /api/projects/{id}/; empty for HogQL
    const char *primaryKey;
    IncrementalMode incremental;
    const char *cursorField;
    const char *description;
};

// The REST list endpoints have no updated-since filter; events never change once ingested.
const PostHogEntity kEntities[] = {
    {"persons", "Persons", "persons", "id", IncrementalMode::None, "",
     "Identified and anonymous people with their properties and distinct ids."},
    {"cohorts", "Cohorts", "cohorts", "id", IncrementalMode::None, "",
     "Static and dynamic cohort definitions."},
    {"feature_flags", "Feature flags", "feature_flags", "id", IncrementalMode::None, "",
     "Feature flags with their filters, rollout and variants."},
    {"annotations", "Annotations", "annotations", "id", IncrementalMode::None, "",
     "Annotations shown on insights and dashboards."},
    {"events", "Events", "", "uuid", IncrementalMode::CreatedOnly, "timestamp",
     "Every captured event, read with a HogQL query ordered by timestamp."},
};

// Columns read for events, in the order they appear in each record.
const char kEventColumns[] =
    "uuid, event, timestamp, distinct_id, person_id, properties, elements_chain, created_at";

const PostHogEntity *findEntity(const QString &name)
{
    for (const PostHogEntity &entity : kEntities) {
        if (name == QLatin1String(entity.name))
            return &entity;
    }
    return nullptr;
}

// PostHog (Django REST framework) errors: {"type": ..., "code": ..., "detail": "...", "attr": ...}.
QString posthogErrorMessage(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    QString detail = object.value(QStringLiteral("detail")).toString();
    if (detail.isEmpty())
        detail = object.value(QStringLiteral("error")).toString();
    return detail;
}

int compareTimestamps(const QString &a, const QString &b)
{
    const QDateTime da = QDateTime::fromString(a, Qt::ISODateWithMs);
    const QDateTime db = QDateTime::fromString(b, Qt::ISODateWithMs);
    if (da.isValid() && db.isValid() && da != db)
        return da < db ? -1 : 1;
    return a.compare(b);
}

// A HogQL DateTime64 literal in UTC; precision is milliseconds, so the bound is never later than the value.
QString hogqlTimestamp(const QDateTime &at)
{
    return QStringLiteral("toDateTime64('%1', 6, 'UTC')")
        .arg(at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
}

[[noreturn]] void throwMalformed(const HttpResponse &response, const QString &what)
{
    throw ConnectorError(QStringLiteral("Unexpected response from %1: %2").arg(response.url.toString(), what),
                         ConnectorError::Kind::Malformed);
}

} // namespace

ConnectorMetadata PostHogConnector::staticMetadata()
{
    ConnectorMetadata meta;
    meta.id = QStringLiteral("posthog");
    meta.name = QStringLiteral("PostHog");
    meta.version = QStringLiteral("1.0.0");
    meta.description = QStringLiteral("Events, persons, cohorts, feature flags and annotations from PostHog "
                                      "(US or EU cloud, or self-hosted).");
    meta.iconPath = QStringLiteral(":/connectors/posthog/icon.svg");
    meta.documentationUrl = QStringLiteral("https://posthog.com/docs/api");
    for (const PostHogEntity &e : kEntities) {
        EntityInfo info;
        info.name = QLatin1String(e.name);
        info.label = QLatin1String(e.label);
        info.primaryKey = QLatin1String(e.primaryKey);
        info.incremental = e.incremental;
        info.cursorField = QLatin1String(e.cursorField);
        info.description = QLatin1String(e.description);
        meta.entities.append(info);
    }

    ConfigField apiKey;
    apiKey.name = QStringLiteral("api_key");
    apiKey.label = QStringLiteral("Personal API key");
    apiKey.type = ConfigField::Type::Secret;
    apiKey.required = true;
    apiKey.placeholder = QStringLiteral("phx_...");
    apiKey.help =
        QStringLiteral("Create one under Settings > Personal API keys with read access to the project "
                       "(scopes query:read, person:read, cohort:read, feature_flag:read, "
                       "annotation:read, project:read). A project token (phc_...) cannot read data.");
    meta.config.append(apiKey);

    ConfigField project;
    project.name = QStringLiteral("project_id");
    project.label = QStringLiteral("Project ID");
    project.required = true;
    project.placeholder = QStringLiteral("12345");
    project.help = QStringLiteral("The number in your project's URL, also shown under Settings > Project.");
    meta.config.append(project);

    ConfigField region;
    region.name = QStringLiteral("region");
    region.label = QStringLiteral("Host");
    region.type = ConfigField::Type::Select;
    region.required = true;
    region.options = {QStringLiteral("us"), QStringLiteral("eu"), QStringLiteral("self-hosted")};
    region.defaultValue = QStringLiteral("us");
    region.help = QStringLiteral("us: US cloud (us.posthog.com); eu: EU cloud (eu.posthog.com); self-hosted: "
                                 "your own instance at Base URL.");
    meta.config.append(region);

    ConfigSpec common = commonHttpConfigFields(QString::fromLatin1(kUsCloud));
    for (ConfigField &field : common) {
        if (field.name == QLatin1String("base_url"))
            field.help = QStringLiteral("Address of a self-hosted PostHog. Left at the US default, the Host "
                                        "setting picks the cloud region.");
    }
    meta.config.append(common);
    return meta;
}

QUrl PostHogConnector::apiBase() const
{
    const QString region = configString(QStringLiteral("region"));
    const QUrl base = baseUrl();
    // base_url wins when it was changed; otherwise the region picks the cloud host.
    if (region == QLatin1String("eu") && base == QUrl(QString::fromLatin1(kUsCloud)))
        return QUrl(QString::fromLatin1(kEuCloud));
    return base;
}

QStringList PostHogConnector::validateConfig() const
{
    QStringList problems = BaseConnector::validateConfig();
    if (configString(QStringLiteral("region")) == QLatin1String("self-hosted") &&
        baseUrl() == QUrl(QString::fromLatin1(kUsCloud)))
        problems.append(QStringLiteral("base_url: set the address of your self-hosted PostHog"));
    const QString project = configString(QStringLiteral("project_id")).trimmed();
    bool numeric = false;
    project.toLongLong(&numeric);
    if (!project.isEmpty() && !numeric)
        problems.append(QStringLiteral("project_id: must be the numeric project ID"));
    return problems;
}

void PostHogConnector::prepare()
{
    if (m_prepared)
        return;
    m_prepared = true;
    const QString key = configString(QStringLiteral("api_key")).trimmed();
    http().addSecret(key);
    http().setDefaultHeaders({{"Authorization", "Bearer " + key.toUtf8()},
                              {"Accept", "application/json"},
                              {"User-Agent", "MakoConnect/" MC_VERSION}});
}

QUrl PostHogConnector::projectUrl(const QString &path) const
{
    QUrl url = apiBase();
    url.setPath(url.path() + QStringLiteral("/api/projects/%1/%2")
                                 .arg(configString(QStringLiteral("project_id")).trimmed(), path));
    return url;
}

QUrl PostHogConnector::followNext(const QString &next) const
{
    QUrl url(next);
    // Behind a proxy PostHog may build `next` with its internal host: keep the key on the configured one.
    const QUrl base = apiBase();
    if (url.isRelative() || url.host() != base.host() || url.port(-1) != base.port(-1) ||
        url.scheme() != base.scheme()) {
        url.setScheme(base.scheme());
        url.setHost(base.host());
        url.setPort(base.port(-1));
    }
    return url;
}

void PostHogConnector::throwIfFailed(const HttpResponse &response)
{
    if (response.ok())
        return;
    if (response.status == 0)
        throw ConnectorError(http().failureMessage(response), ConnectorError::Kind::Network);
    const QString failure = http().failureMessage(response, posthogErrorMessage(response.body));
    switch (response.status) {
    case 401:
        throw ConnectorError(QStringLiteral("Invalid personal API key: %1").arg(failure),
                             ConnectorError::Kind::Auth);
    case 403:
        throw ConnectorError(
            QStringLiteral("Permission denied (check the key's scopes and project access): %1").arg(failure),
            ConnectorError::Kind::Auth);
    case 404:
        throw ConnectorError(QStringLiteral("Not found (check the project ID and host): %1").arg(failure),
                             ConnectorError::Kind::Config);
    case 429:
        throw ConnectorError(QStringLiteral("PostHog rate limit still exceeded: %1").arg(failure),
                             ConnectorError::Kind::RateLimit);
    default:
        throw ConnectorError(failure, ConnectorError::Kind::Api);
    }
}

TestResult PostHogConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        prepare();
        const HttpResponse response = http().get(projectUrl(QString()));
        throwIfFailed(response);
        const QJsonObject project = QJsonDocument::fromJson(response.body).object();
        if (!project.contains(QStringLiteral("id")))
            throwMalformed(response, QStringLiteral("expected the project object"));
        result.success = true;
        result.message =
            QStringLiteral("Connected to PostHog project \"%1\" (%2) at %3")
                .arg(project.value(QStringLiteral("name")).toString(),
                     project.value(QStringLiteral("id")).toVariant().toString(), apiBase().host());
        return result;
    });
}

FetchState PostHogConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    const PostHogEntity *spec = findEntity(options.entity);
    if (!spec)
        throw ConnectorError(QStringLiteral("PostHog has no entity \"%1\"").arg(options.entity),
                             ConnectorError::Kind::Config);
    prepare();
    FetchState state = options.state;
    state.iterationsInChunk = 0;
    if (*spec->path)
        return fetchList(options, std::move(state), qBound(1, options.batchSize, 1000));
    return fetchEvents(options, std::move(state), qBound(1, options.batchSize, 10000));
}

FetchState PostHogConnector::fetchList(const ResumableFetchOptions &options, FetchState state, int limit)
{
    const PostHogEntity *spec = findEntity(options.entity);
    const int maxIterations = qMax(1, options.maxIterations);
    while (state.hasMore && state.iterationsInChunk < maxIterations) {
        throwIfCancelled();
        QUrl url;
        if (state.cursor.isEmpty()) {
            url = projectUrl(QLatin1String(spec->path) + QLatin1Char('/'));
            url.setQuery(QStringLiteral("limit=%1").arg(limit));
        } else {
            url = followNext(state.cursor);
        }
        const HttpResponse response = http().get(url);
        ++state.iterationsInChunk;
        throwIfFailed(response);

        JsonScan::Result scan;
        const QByteArrayView body(response.body);
        const QByteArrayView results = JsonScan::member(body, "results", &scan);
        const QByteArrayView next = scan.ok ? JsonScan::member(body, "next", &scan) : QByteArrayView();
        if (!scan.ok)
            throwMalformed(response, scan.error);
        if (results.isEmpty() || results.front() != '[')
            throwMalformed(response, QStringLiteral("no \"results\" array"));
        if (!next.isEmpty() && next != "null" && next.front() != '"')
            throwMalformed(response, QStringLiteral("\"next\" is neither a URL nor null"));
        const QList<QByteArrayView> items = JsonScan::elements(results, &scan);
        if (!scan.ok)
            throwMalformed(response, QStringLiteral("\"results\": %1").arg(scan.error));

        RecordBatch batch;
        batch.reserve(items.size());
        for (qsizetype i = 0; i < items.size(); ++i) {
            const QByteArray key = JsonScan::keyText(JsonScan::member(items.at(i), spec->primaryKey, &scan));
            if (!scan.ok || key.isEmpty())
                throwMalformed(
                    response,
                    QStringLiteral("record %1 has no \"%2\"").arg(i).arg(QLatin1String(spec->primaryKey)));
            batch.append(Record{key, items.at(i).toByteArray()});
        }
        const QByteArrayView count = JsonScan::member(body, "count");
        if (!count.isEmpty() && count.front() != 'n')
            state.total = count.toByteArray().toLongLong();

        const QString nextUrl =
            next.isEmpty() || next == "null" ? QString() : JsonScan::toValue(next).toString();
        state.cursor = nextUrl;
        state.hasMore = !nextUrl.isEmpty() && !items.isEmpty();
        ++state.page;
        state.offset += items.size();
        state.totalProcessed += batch.size();
        if (options.onBatch && !batch.isEmpty())
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, state.total);
    }
    return state;
}

FetchState PostHogConnector::fetchEvents(const ResumableFetchOptions &options, FetchState state, int limit)
{
    const int maxIterations = qMax(1, options.maxIterations);

    // The window is fixed when the sync starts, so events arriving meanwhile don't shift the OFFSET pages;
    // the next incremental run picks them up from this run's high-water mark.
    QDateTime until =
        QDateTime::fromString(state.metadata.value(QStringLiteral("until")).toString(), Qt::ISODateWithMs);
    if (!until.isValid()) {
        until = QDateTime::currentDateTimeUtc();
        state.metadata.insert(QStringLiteral("until"), until.toString(Qt::ISODateWithMs));
    }
    QString where = QStringLiteral("timestamp <= %1").arg(hogqlTimestamp(until));
    if (options.since.isString() && !options.since.toString().isEmpty()) {
        const QDateTime since = QDateTime::fromString(options.since.toString(), Qt::ISODateWithMs);
        if (!since.isValid())
            throw ConnectorError(
                QStringLiteral("Incremental cursor \"%1\" is not a timestamp").arg(options.since.toString()),
                ConnectorError::Kind::Config);
        where += QStringLiteral(" AND timestamp > %1").arg(hogqlTimestamp(since));
    }

    while (state.hasMore && state.iterationsInChunk < maxIterations) {
        throwIfCancelled();
        const QString sql = QStringLiteral("SELECT %1 FROM events WHERE %2 ORDER BY timestamp ASC, uuid ASC "
                                           "LIMIT %3 OFFSET %4")
                                .arg(QLatin1String(kEventColumns), where)
                                .arg(limit)
                                .arg(state.offset);
        const QJsonObject query{{QStringLiteral("kind"), QStringLiteral("HogQLQuery")},
                                {QStringLiteral("query"), sql}};
        HttpRequest request;
        request.method = "POST";
        request.url = projectUrl(QStringLiteral("query/"));
        request.headers = {{"Content-Type", "application/json"}};
        request.body =
            QJsonDocument(QJsonObject{{QStringLiteral("query"), query},
                                      {QStringLiteral("name"), QStringLiteral("mako-connect events sync")}})
                .toJson(QJsonDocument::Compact);
        const HttpResponse response = http().send(request);
        ++state.iterationsInChunk;
        throwIfFailed(response);

        JsonScan::Result scan;
        const QByteArrayView body(response.body);
        const QByteArrayView columnsRaw = JsonScan::member(body, "columns", &scan);
        const QByteArrayView resultsRaw =
            scan.ok ? JsonScan::member(body, "results", &scan) : QByteArrayView();
        if (!scan.ok)
            throwMalformed(response, scan.error);
        if (columnsRaw.isEmpty() || columnsRaw.front() != '[')
            throwMalformed(response, QStringLiteral("no \"columns\" array"));
        if (resultsRaw.isEmpty() || resultsRaw.front() != '[')
            throwMalformed(response, QStringLiteral("no \"results\" array"));
        const QList<QByteArrayView> columns = JsonScan::elements(columnsRaw, &scan);
        const QList<QByteArrayView> rows =
            scan.ok ? JsonScan::elements(resultsRaw, &scan) : QList<QByteArrayView>();
        if (!scan.ok)
            throwMalformed(response, scan.error);
        qsizetype uuidColumn = -1;
        qsizetype timestampColumn = -1;
        for (qsizetype c = 0; c < columns.size(); ++c) {
            if (columns.at(c) == "\"uuid\"")
                uuidColumn = c;
            else if (columns.at(c) == "\"timestamp\"")
                timestampColumn = c;
        }
        if (uuidColumn < 0 || timestampColumn < 0)
            throwMalformed(response, QStringLiteral("the \"uuid\" or \"timestamp\" column is missing"));

        RecordBatch batch;
        batch.reserve(rows.size());
        for (qsizetype r = 0; r < rows.size(); ++r) {
            const QList<QByteArrayView> values = JsonScan::elements(rows.at(r), &scan);
            if (!scan.ok || values.size() != columns.size())
                throwMalformed(response,
                               QStringLiteral("row %1 does not have %2 columns").arg(r).arg(columns.size()));
            // An object of the row's values as sent, keyed by the column names as sent.
            QByteArray json;
            json.reserve(rows.at(r).size() + columnsRaw.size() + 2);
            json.append('{');
            for (qsizetype c = 0; c < columns.size(); ++c) {
                if (c)
                    json.append(',');
                json.append(columns.at(c).data(), columns.at(c).size());
                json.append(':');
                json.append(values.at(c).data(), values.at(c).size());
            }
            json.append('}');
            const QByteArray key = JsonScan::keyText(values.at(uuidColumn));
            if (key.isEmpty() || key == "null")
                throwMalformed(response, QStringLiteral("row %1 has no uuid").arg(r));
            const QString timestamp = JsonScan::toValue(values.at(timestampColumn)).toString();
            if (!timestamp.isEmpty() && (state.highWater.toString().isEmpty() ||
                                         compareTimestamps(timestamp, state.highWater.toString()) > 0))
                state.highWater = timestamp;
            batch.append(Record{key, json});
        }

        const QByteArrayView hasMore = JsonScan::member(body, "hasMore");
        state.offset += rows.size();
        ++state.page;
        state.totalProcessed += batch.size();
        state.hasMore = !rows.isEmpty() && (rows.size() >= limit || hasMore == "true");
        if (options.onBatch && !batch.isEmpty())
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, -1);
    }
    return state;
}
