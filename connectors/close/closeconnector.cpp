#include "closeconnector.h"

#include "jsonscan.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace {

const char kDefaultBaseUrl[] = "https://api.close.com";

// How an entity's list is asked for.
enum class Route {
    List,        // its own list endpoint, date filters as query items (date_created__gte=…)
    LeadSearch,  // /lead/ with the search `query`: date clauses and sort:date_created in one text
    LeadContacts // the contacts embedded in each lead, paged as LeadSearch pages leads
};

struct CloseEntity
{
    const char *name;
    const char *label;
    const char *path; // under /api/v1/
    Route route;
    IncrementalMode incremental;
    const char *cursorField;
    const char *sinceParam; // server-side filter for Native / CreatedOnly, empty otherwise
    const char *orderBy;    // a stable ascending order keeps _skip paging from skipping records
    const char *extraQuery; // fixed query items ("_type=all")
    const char *description;
};

// What each list endpoint can filter on, from the Close API reference: opportunities and tasks accept
// date_updated__gt; activities only date_created__gt. The lead list has no date items, but its search query
// takes date clauses and a sort, so leads page by date_created windows and filter on date_updated there.
// The contact list has neither (an unknown item is ignored, not refused), so contacts come embedded in the
// leads, which Close documents; they are filtered here. Users are few.
const CloseEntity kEntities[] = {
    {"leads", "Leads", "lead", Route::LeadSearch, IncrementalMode::Native, "date_updated", "date_updated >",
     "date_created", "", "Companies or organisations with their contacts, addresses and custom fields."},
    {"contacts", "Contacts", "lead", Route::LeadContacts, IncrementalMode::ClientFilter, "date_updated", "",
     "date_created", "", "People belonging to leads."},
    {"opportunities", "Opportunities", "opportunity", Route::List, IncrementalMode::Native, "date_updated",
     "date_updated__gt", "date_created", "", "Potential deals with status, value and confidence."},
    {"activities", "Activities", "activity", Route::List, IncrementalMode::CreatedOnly, "date_created",
     "date_created__gt", "date_created", "",
     "Calls, emails, notes, meetings, SMS and status changes of every type."},
    {"tasks", "Tasks", "task", Route::List, IncrementalMode::Native, "date_updated", "date_updated__gt",
     "date_created", "_type=all",
     "Tasks of every type (lead, incoming email, missed call, ...), complete or not."},
    {"users", "Users", "user", Route::List, IncrementalMode::None, "", "", "", "",
     "Members of your Close organisation."},
};

const CloseEntity *findEntity(const QString &name)
{
    for (const CloseEntity &entity : kEntities) {
        if (name == QLatin1String(entity.name))
            return &entity;
    }
    return nullptr;
}

// Close errors come as {"error": "text"}, {"error": {"message": ...}} (429) or {"errors": [...],
// "field-errors": {...}} (400).
QString closeErrorMessage(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue error = object.value(QStringLiteral("error"));
    if (error.isString())
        return error.toString();
    if (error.isObject())
        return error.toObject().value(QStringLiteral("message")).toString();
    QStringList parts;
    const QJsonArray errors = object.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &e : errors)
        parts.append(e.isString()
                         ? e.toString()
                         : QString::fromUtf8(QJsonDocument(e.toObject()).toJson(QJsonDocument::Compact)));
    const QJsonObject fieldErrors = object.value(QStringLiteral("field-errors")).toObject();
    for (auto it = fieldErrors.begin(); it != fieldErrors.end(); ++it)
        parts.append(QStringLiteral("%1: %2").arg(it.key(), it.value().toVariant().toString()));
    return parts.join(QStringLiteral("; "));
}

// Close timestamps are ISO 8601 with microseconds and an offset; compare as instants, then as text so
// microseconds still order.
int compareTimestamps(const QString &a, const QString &b)
{
    const QDateTime da = QDateTime::fromString(a, Qt::ISODateWithMs);
    const QDateTime db = QDateTime::fromString(b, Qt::ISODateWithMs);
    if (da.isValid() && db.isValid() && da != db)
        return da < db ? -1 : 1;
    return a.compare(b);
}

// '+' in an offset must reach the server as %2B, or form decoding turns it into a space.
QString queryValue(QString value)
{
    return value.replace(QLatin1Char('+'), QLatin1String("%2B"));
}

[[noreturn]] void throwMalformed(const HttpResponse &response, const QString &what)
{
    throw ConnectorError(QStringLiteral("Unexpected response from %1: %2").arg(response.url.toString(), what),
                         ConnectorError::Kind::Malformed);
}

} // namespace

ConnectorMetadata CloseConnector::staticMetadata()
{
    ConnectorMetadata meta;
    meta.id = QStringLiteral("close");
    meta.name = QStringLiteral("Close");
    meta.version = QStringLiteral("1.0.0");
    meta.description =
        QStringLiteral("Leads, contacts, opportunities, activities, tasks and users from the Close "
                       "sales CRM.");
    meta.iconPath = QStringLiteral(":/connectors/close/icon.svg");
    meta.documentationUrl = QStringLiteral("https://developer.close.com/");
    for (const CloseEntity &e : kEntities) {
        EntityInfo info;
        info.name = QLatin1String(e.name);
        info.label = QLatin1String(e.label);
        info.incremental = e.incremental;
        info.cursorField = QLatin1String(e.cursorField);
        info.description = QLatin1String(e.description);
        meta.entities.append(info);
    }

    ConfigField apiKey;
    apiKey.name = QStringLiteral("api_key");
    apiKey.label = QStringLiteral("API key");
    apiKey.type = ConfigField::Type::Secret;
    apiKey.required = true;
    apiKey.placeholder = QStringLiteral("api_...");
    apiKey.help =
        QStringLiteral("Create one in Close under Settings > Developer > API Keys. It is sent as the "
                       "HTTP Basic user name with an empty password.");
    meta.config.append(apiKey);
    meta.config.append(commonHttpConfigFields(QString::fromLatin1(kDefaultBaseUrl), 100));
    return meta;
}

void CloseConnector::prepare()
{
    if (m_prepared)
        return;
    m_prepared = true;
    const QString key = configString(QStringLiteral("api_key")).trimmed();
    const QByteArray basic = (key + QLatin1Char(':')).toUtf8().toBase64();
    http().addSecret(key);
    http().addSecret(QString::fromLatin1(basic));
    QList<HttpHeader> headers{{"Authorization", "Basic " + basic},
                              {"Accept", "application/json"},
                              {"User-Agent", "MakoConnect/" MC_VERSION}};
    http().setDefaultHeaders(headers);
}

QUrl CloseConnector::pageUrl(const QString &entity, qint64 skip, int limit, const QJsonValue &since,
                             const QString &windowFrom) const
{
    const CloseEntity *spec = findEntity(entity);
    QUrl url = baseUrl();
    QString path = url.path();
    // Accept a base URL given with the API prefix too.
    if (path.endsWith(QLatin1String("/api/v1")))
        path.chop(7);
    url.setPath(path + QStringLiteral("/api/v1/%1/").arg(QLatin1String(spec->path)));
    const bool filtered = *spec->sinceParam && since.isString() && !since.toString().isEmpty();
    QUrlQuery query;
    if (*spec->extraQuery) {
        const QStringList pair = QString::fromLatin1(spec->extraQuery).split(QLatin1Char('='));
        query.addQueryItem(pair.value(0), pair.value(1));
    }
    if (spec->route == Route::List) {
        if (*spec->orderBy)
            query.addQueryItem(QStringLiteral("_order_by"), QLatin1String(spec->orderBy));
        if (filtered)
            query.addQueryItem(QLatin1String(spec->sinceParam), queryValue(since.toString()));
        if (!windowFrom.isEmpty())
            query.addQueryItem(QStringLiteral("date_created__gte"), queryValue(windowFrom));
    } else {
        QStringList clauses;
        if (filtered)
            clauses.append(
                QStringLiteral("%1 \"%2\"").arg(QLatin1String(spec->sinceParam), since.toString()));
        if (!windowFrom.isEmpty())
            clauses.append(QStringLiteral("date_created >= \"%1\"").arg(windowFrom));
        clauses.append(QStringLiteral("sort:date_created"));
        query.addQueryItem(QStringLiteral("query"), queryValue(clauses.join(QLatin1Char(' '))));
        // Of each lead, contacts need only what moves the window (id, date_created) and the contacts.
        if (spec->route == Route::LeadContacts)
            query.addQueryItem(QStringLiteral("_fields"), QStringLiteral("id,date_created,contacts"));
    }
    query.addQueryItem(QStringLiteral("_skip"), QString::number(skip));
    query.addQueryItem(QStringLiteral("_limit"), QString::number(limit));
    url.setQuery(query);
    return url;
}

void CloseConnector::throwIfFailed(const HttpResponse &response)
{
    if (response.ok())
        return;
    if (response.status == 0)
        throw ConnectorError(http().failureMessage(response), ConnectorError::Kind::Network);
    const QString api = closeErrorMessage(response.body);
    switch (response.status) {
    case 401:
        throw ConnectorError(QStringLiteral("Invalid API key: %1").arg(http().failureMessage(response, api)),
                             ConnectorError::Kind::Auth);
    case 403:
        throw ConnectorError(
            QStringLiteral("Permission denied: %1").arg(http().failureMessage(response, api)),
            ConnectorError::Kind::Auth);
    case 429:
        throw ConnectorError(
            QStringLiteral("Close rate limit still exceeded: %1").arg(http().failureMessage(response, api)),
            ConnectorError::Kind::RateLimit);
    default:
        throw ConnectorError(http().failureMessage(response, api), ConnectorError::Kind::Api);
    }
}

TestResult CloseConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        prepare();
        QUrl url = baseUrl();
        QString path = url.path();
        if (path.endsWith(QLatin1String("/api/v1")))
            path.chop(7);
        url.setPath(path + QStringLiteral("/api/v1/me/"));
        const HttpResponse response = http().get(url);
        throwIfFailed(response);
        const QJsonObject me = QJsonDocument::fromJson(response.body).object();
        if (me.isEmpty())
            throwMalformed(response, QStringLiteral("expected the user object"));
        const QString email = me.value(QStringLiteral("email")).toString();
        const QJsonArray orgs = me.value(QStringLiteral("organizations")).toArray();
        const QString org =
            orgs.isEmpty() ? QString() : orgs.first().toObject().value(QStringLiteral("name")).toString();
        result.success = true;
        result.message = org.isEmpty() ? QStringLiteral("Connected to Close as %1").arg(email)
                                       : QStringLiteral("Connected to Close as %1 (%2)").arg(email, org);
        return result;
    });
}

namespace {
// Close refuses _skip past a limit that varies per endpoint (a 400). Entities listed in date_created order
// move their window instead: after this many records the next request starts at the last date_created seen
// (date_created__gte, as Close's pagination guide advises) with _skip back at 0.
constexpr qint64 kWindowRecords = 500;
const QLatin1String kWindowFrom("window_from");   // FetchState.metadata: where the current window starts
const QLatin1String kWindowSeen("window_seen");   // ids at that instant already fetched (not committed twice)
const QLatin1String kLastCreated("last_created"); // the latest date_created fetched, and the ids at it
const QLatin1String kLastIds("last_ids");

bool movesWindow(const CloseEntity &spec)
{
    return qstrcmp(spec.orderBy, "date_created") == 0;
}

// Past kWindowRecords, the next window starts at the last instant fetched; the records already fetched at
// that instant are remembered so they are not committed again. A window whose records all share one instant
// cannot move: it keeps paging by _skip.
void moveWindow(FetchState &state, int limit)
{
    QJsonObject &meta = state.metadata;
    const QString last = meta.value(kLastCreated).toString();
    if (state.offset + limit <= kWindowRecords || last.isEmpty() ||
        last == meta.value(kWindowFrom).toString())
        return;
    meta.insert(kWindowFrom, last);
    meta.insert(kWindowSeen, meta.value(kLastIds));
    state.offset = 0;
}

// A 400 past the first page: Close's _skip limit, said as what it means.
void throwSkipLimit(const HttpResponse &response, const CloseEntity &spec, qint64 skip)
{
    if (response.status != 400 || skip == 0)
        return;
    const QString why =
        movesWindow(spec) ? QStringLiteral("more of them than that share one date_created, so no window can "
                                           "start past them")
                          : QStringLiteral("Close lists %1 in no date order that Mako Connect can page by, "
                                           "so the rest cannot be fetched yet")
                                .arg(QLatin1String(spec.name));
    throw ConnectorError(QStringLiteral("Close refused to list %1 past record %2 (%3): it limits how far "
                                        "_skip may go. The records before it are saved; %4")
                             .arg(QLatin1String(spec.name))
                             .arg(skip)
                             .arg(closeErrorMessage(response.body), why),
                         ConnectorError::Kind::Refused);
}

// The contacts embedded in one lead, each handed to `take` with its id.
template <typename Take>
void takeContacts(const HttpResponse &response, QByteArrayView lead, const Take &take)
{
    JsonScan::Result scan;
    const QByteArrayView contacts = JsonScan::member(lead, "contacts", &scan);
    if (!scan.ok || contacts.isEmpty() || contacts.front() != '[')
        throwMalformed(response, QStringLiteral("a lead without its \"contacts\" array"));
    const QList<QByteArrayView> list = JsonScan::elements(contacts, &scan);
    if (!scan.ok)
        throwMalformed(response, QStringLiteral("\"contacts\": %1").arg(scan.error));
    for (const QByteArrayView contact : list) {
        QByteArray key = JsonScan::keyText(JsonScan::member(contact, "id", &scan));
        if (!scan.ok || key.isEmpty())
            throwMalformed(response, QStringLiteral("a contact has no \"id\""));
        take(contact, std::move(key));
    }
}

// One list page's records (those to commit), with the state's window, high water and total moved on.
RecordBatch pageRecords(const HttpResponse &response, const CloseEntity &spec, const QString &since,
                        FetchState &state, qsizetype *items)
{
    JsonScan::Result scan;
    const QByteArrayView body(response.body);
    const QByteArrayView data = JsonScan::member(body, "data", &scan);
    const QByteArrayView hasMore = scan.ok ? JsonScan::member(body, "has_more", &scan) : QByteArrayView();
    if (!scan.ok)
        throwMalformed(response, scan.error);
    if (data.isEmpty() || data.front() != '[')
        throwMalformed(response, QStringLiteral("no \"data\" array"));
    if (hasMore != "true" && hasMore != "false")
        throwMalformed(response, QStringLiteral("no \"has_more\" flag"));
    const QList<QByteArrayView> list = JsonScan::elements(data, &scan);
    if (!scan.ok)
        throwMalformed(response, QStringLiteral("\"data\": %1").arg(scan.error));
    *items = list.size();
    state.hasMore = hasMore == "true" && !list.isEmpty();

    const QByteArray cursorField(spec.cursorField);
    const bool clientFilter = !since.isEmpty() && spec.incremental == IncrementalMode::ClientFilter;
    RecordBatch batch;
    // Moves the high water on and keeps the record unless the filter here drops it.
    const auto take = [&](QByteArrayView record, QByteArray key) {
        if (!cursorField.isEmpty()) {
            const QString value = JsonScan::toValue(JsonScan::member(record, cursorField)).toString();
            if (!value.isEmpty()) {
                if (state.highWater.toString().isEmpty() ||
                    compareTimestamps(value, state.highWater.toString()) > 0)
                    state.highWater = value;
                // The list endpoint cannot filter: drop what has not changed since the last sync.
                if (clientFilter && compareTimestamps(value, since) <= 0)
                    return;
            }
        }
        batch.append(Record{std::move(key), record.toByteArray()});
    };
    QJsonObject &meta = state.metadata;
    const QJsonArray seen = meta.value(kWindowSeen).toArray();
    const QString windowFrom = meta.value(kWindowFrom).toString();
    // The latest instant and the ids at it, kept in the state once the page is read.
    QString lastCreated = meta.value(kLastCreated).toString();
    QJsonArray lastIds = meta.value(kLastIds).toArray();
    batch.reserve(list.size());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QByteArrayView item = list.at(i);
        const QByteArray key = JsonScan::keyText(JsonScan::member(item, "id", &scan));
        if (!scan.ok || key.isEmpty())
            throwMalformed(response, QStringLiteral("record %1 has no \"id\"").arg(i));
        if (movesWindow(spec)) {
            const QString created = JsonScan::toValue(JsonScan::member(item, "date_created")).toString();
            if (created != lastCreated) {
                lastCreated = created;
                lastIds = QJsonArray();
            }
            lastIds.append(QString::fromUtf8(key));
            // Fetched already, at the instant this window starts from.
            if (created == windowFrom && seen.contains(QString::fromUtf8(key)))
                continue;
        }
        if (spec.route == Route::LeadContacts)
            takeContacts(response, item, take);
        else
            take(item, key);
    }
    if (movesWindow(spec)) {
        meta.insert(kLastCreated, lastCreated);
        meta.insert(kLastIds, lastIds);
    }
    // The total of a moved window counts only what is left in it; for contacts it counts leads.
    const QByteArrayView total = JsonScan::member(body, "total_results");
    if (windowFrom.isEmpty() && spec.route != Route::LeadContacts && !total.isEmpty() && total.front() != 'n')
        state.total = total.toByteArray().toLongLong();
    return batch;
}
} // namespace

FetchState CloseConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    const CloseEntity *spec = findEntity(options.entity);
    if (!spec)
        throw ConnectorError(QStringLiteral("Close has no entity \"%1\"").arg(options.entity),
                             ConnectorError::Kind::Config);
    prepare();

    FetchState state = options.state;
    state.iterationsInChunk = 0;
    const int limit = qBound(1, options.batchSize, 100);
    const bool incremental = spec->incremental != IncrementalMode::None && options.since.isString() &&
                             !options.since.toString().isEmpty();
    const QString since = incremental ? options.since.toString() : QString();

    while (state.hasMore && state.iterationsInChunk < qMax(1, options.maxIterations)) {
        throwIfCancelled();
        if (movesWindow(*spec))
            moveWindow(state, limit);
        const HttpResponse response = http().get(pageUrl(options.entity, state.offset, limit, options.since,
                                                         state.metadata.value(kWindowFrom).toString()));
        ++state.iterationsInChunk;
        throwSkipLimit(response, *spec, state.offset);
        throwIfFailed(response);
        qsizetype items = 0;
        RecordBatch batch = pageRecords(response, *spec, since, state, &items);
        state.offset += items;
        ++state.page;
        state.totalProcessed += batch.size();
        if (options.onBatch && !batch.isEmpty())
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, state.total);
    }
    return state;
}
