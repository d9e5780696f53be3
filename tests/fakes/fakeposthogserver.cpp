#include "fakeposthogserver.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace {

QByteArray compact(const QJsonValue &value)
{
    // One value as QJsonDocument writes it inside an array.
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

FakeResponse drfError(int status, const char *type, const char *code, const QString &detail)
{
    const QJsonObject body{{QStringLiteral("type"), QLatin1String(type)},
                           {QStringLiteral("code"), QLatin1String(code)},
                           {QStringLiteral("detail"), detail},
                           {QStringLiteral("attr"), QJsonValue::Null}};
    return FakeResponse::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

QString fakeUuid(const QByteArray &seed)
{
    const QByteArray hex = QCryptographicHash::hash(seed, QCryptographicHash::Sha1).toHex();
    return QStringLiteral("%1-%2-7%3-8%4-%5")
        .arg(QString::fromLatin1(hex.mid(0, 8)), QString::fromLatin1(hex.mid(8, 4)),
             QString::fromLatin1(hex.mid(12, 3)), QString::fromLatin1(hex.mid(15, 3)),
             QString::fromLatin1(hex.mid(18, 12)));
}

// HogQL answers datetimes as ISO text with microseconds.
QString hogqlTime(const QDateTime &at)
{
    return at.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000Z"));
}

} // namespace

FakePostHogServer::FakePostHogServer()
{
    m_clock.start();
    for (const QString &name : entities())
        m_entities[name];
}

FakePostHogServer::~FakePostHogServer()
{
    stop();
}

QStringList FakePostHogServer::entities()
{
    return {QStringLiteral("persons"), QStringLiteral("cohorts"), QStringLiteral("feature_flags"),
            QStringLiteral("annotations"), QStringLiteral("events")};
}

QStringList FakePostHogServer::eventColumns()
{
    return {QStringLiteral("uuid"),           QStringLiteral("event"),     QStringLiteral("timestamp"),
            QStringLiteral("distinct_id"),    QStringLiteral("person_id"), QStringLiteral("properties"),
            QStringLiteral("elements_chain"), QStringLiteral("created_at")};
}

void FakePostHogServer::setApiKey(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_apiKey = key.toUtf8();
}

void FakePostHogServer::setProjectId(qint64 id)
{
    QMutexLocker lock(&m_mutex);
    m_projectId = id;
}

void FakePostHogServer::setNextBase(const QUrl &base)
{
    QMutexLocker lock(&m_mutex);
    m_nextBase = base;
}

FakePostHogServer::Rec FakePostHogServer::makeEvent(int n)
{
    const QDateTime start(QDate(2024, 3, 1), QTime(0, 0), Qt::UTC);
    Rec rec;
    const QString uuid = fakeUuid("event" + QByteArray::number(n));
    rec.key = uuid.toLatin1();
    // Every fifth event shares its timestamp with the one before.
    const int slot = n - n / 5;
    rec.timestamp = start.addMSecs(qint64(slot) * 61237);
    const QString distinct = QStringLiteral("user-%1").arg(n % 13);
    const QJsonObject properties{
        {QStringLiteral("$current_url"), QStringLiteral("https://shop.example/p/%1?q=\"x\"").arg(n)},
        {QStringLiteral("$browser"), n % 2 ? QStringLiteral("Firefox") : QStringLiteral("Chrome")}};
    const QJsonArray row{
        uuid,
        n % 3 ? QStringLiteral("$pageview") : QStringLiteral("checkout completed"),
        hogqlTime(rec.timestamp),
        distinct,
        fakeUuid("person" + QByteArray::number(n % 13)),
        QString::fromUtf8(QJsonDocument(properties).toJson(QJsonDocument::Compact)), // JSON text
        QString(),
        hogqlTime(rec.timestamp.addSecs(2))};
    for (const QJsonValue &value : row)
        rec.values.append(compact(value));
    return rec;
}

void FakePostHogServer::addEvents(int count)
{
    QMutexLocker lock(&m_mutex);
    Entity &data = m_entities[QStringLiteral("events")];
    const int first = int(data.records.size()) + 1;
    for (int n = first; n < first + count; ++n)
        data.records.push_back(makeEvent(n));
}

void FakePostHogServer::seed(const QString &entity, int count)
{
    QMutexLocker lock(&m_mutex);
    Entity &data = m_entities[entity];
    data.records.clear();
    const QDateTime start(QDate(2024, 3, 1), QTime(0, 0), Qt::UTC);
    for (int n = 1; n <= count; ++n) {
        Rec rec;
        QJsonObject o;
        if (entity == QLatin1String("events")) {
            data.records.push_back(makeEvent(n));
            continue;
        }
        if (entity == QLatin1String("persons")) {
            const QString uuid = fakeUuid("person" + QByteArray::number(n));
            rec.key = uuid.toLatin1();
            o = QJsonObject{
                {QStringLiteral("id"), uuid},
                {QStringLiteral("uuid"), uuid},
                {QStringLiteral("name"), QStringLiteral("person%1@example.com").arg(n)},
                {QStringLiteral("distinct_ids"), QJsonArray{QStringLiteral("user-%1").arg(n)}},
                {QStringLiteral("properties"),
                 QJsonObject{{QStringLiteral("email"), QStringLiteral("person%1@example.com").arg(n)}}},
                {QStringLiteral("created_at"), hogqlTime(start.addDays(-n))}};
        } else {
            rec.key = QByteArray::number(n * 10 + 7);
            o = QJsonObject{{QStringLiteral("id"), n * 10 + 7},
                            {QStringLiteral("created_at"), hogqlTime(start.addDays(-n))}};
            if (entity == QLatin1String("cohorts")) {
                o.insert(QStringLiteral("name"), QStringLiteral("Cohort %1").arg(n));
                o.insert(QStringLiteral("is_static"), n % 2 == 0);
                o.insert(QStringLiteral("count"), n * 3);
            } else if (entity == QLatin1String("feature_flags")) {
                o.insert(QStringLiteral("key"), QStringLiteral("flag-%1").arg(n));
                o.insert(QStringLiteral("active"), n % 3 != 0);
                o.insert(
                    QStringLiteral("filters"),
                    QJsonObject{{QStringLiteral("groups"),
                                 QJsonArray{QJsonObject{{QStringLiteral("rollout_percentage"), n % 100}}}}});
            } else {
                o.insert(QStringLiteral("content"), QStringLiteral("Release %1 – ünïcode").arg(n));
                o.insert(QStringLiteral("date_marker"), hogqlTime(start.addDays(n)));
                o.insert(QStringLiteral("scope"), QStringLiteral("project"));
            }
        }
        rec.json = QJsonDocument(o).toJson(QJsonDocument::Compact);
        data.records.push_back(rec);
    }
}

QStringList FakePostHogServer::keys(const QString &entity, const QString &since) const
{
    QMutexLocker lock(&m_mutex);
    const QDateTime after = since.isEmpty() ? QDateTime() : QDateTime::fromString(since, Qt::ISODateWithMs);
    QStringList list;
    for (const Rec &rec : m_entities.at(entity).records) {
        if (after.isValid() && rec.timestamp <= after)
            continue;
        list.append(QString::fromLatin1(rec.key));
    }
    return list;
}

QByteArray FakePostHogServer::recordJson(const QString &entity, const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    const QStringList columns = eventColumns();
    for (const Rec &rec : m_entities.at(entity).records) {
        if (rec.key != key.toLatin1())
            continue;
        if (entity != QLatin1String("events"))
            return rec.json;
        QByteArray json = "{";
        for (int c = 0; c < columns.size(); ++c) {
            if (c)
                json += ',';
            json += '"' + columns[c].toLatin1() + "\":" + rec.values[c];
        }
        return json + '}';
    }
    return {};
}

QString FakePostHogServer::eventTimestamp(const QString &uuid) const
{
    QMutexLocker lock(&m_mutex);
    for (const Rec &rec : m_entities.at(QStringLiteral("events")).records) {
        if (rec.key == uuid.toLatin1())
            return hogqlTime(rec.timestamp);
    }
    return {};
}

void FakePostHogServer::rateLimitFor(int ms)
{
    QMutexLocker lock(&m_mutex);
    m_rateLimitUntil = m_clock.elapsed() + ms;
}

int FakePostHogServer::rateLimitedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_rateLimited;
}

void FakePostHogServer::setMalformedPage(const QString &entity, int pageIndex, Malformed kind)
{
    QMutexLocker lock(&m_mutex);
    m_entities[entity].malformedPage = pageIndex;
    m_entities[entity].malformedKind = kind;
}

void FakePostHogServer::clearMalformed()
{
    QMutexLocker lock(&m_mutex);
    for (auto &entry : m_entities)
        entry.second.malformedPage = -1;
}

QList<QString> FakePostHogServer::queries() const
{
    QMutexLocker lock(&m_mutex);
    return m_queries;
}

FakeResponse FakePostHogServer::handle(const FakeRequest &request)
{
    QMutexLocker lock(&m_mutex);
    if (m_rateLimitUntil > m_clock.elapsed()) {
        ++m_rateLimited;
        const int seconds = int(std::ceil((m_rateLimitUntil - m_clock.elapsed()) / 1000.0));
        FakeResponse limited =
            drfError(429, "throttled_error", "throttled",
                     QStringLiteral("Request was throttled. Expected available in %1 second%2.")
                         .arg(seconds)
                         .arg(seconds == 1 ? QString() : QStringLiteral("s")));
        limited.headers.append(QPair<QByteArray, QByteArray>("Retry-After", QByteArray::number(seconds)));
        return limited;
    }
    const QByteArray authorization = request.headers.value("authorization");
    if (!authorization.startsWith("Bearer "))
        return drfError(401, "authentication_error", "not_authenticated",
                        QStringLiteral("Authentication credentials were not provided."));
    if (authorization.mid(7).trimmed() != m_apiKey)
        return drfError(401, "authentication_error", "authentication_failed",
                        QStringLiteral("Personal API key found in request Authorization header is invalid."));

    // /api/projects/{id}/[entity/]
    const QStringList parts = request.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.size() < 3 || parts[0] != QLatin1String("api") || parts[1] != QLatin1String("projects") ||
        !request.path.endsWith(QLatin1Char('/')))
        return drfError(404, "invalid_request", "not_found", QStringLiteral("Not found."));
    if (parts[2] != QString::number(m_projectId))
        return drfError(404, "invalid_request", "not_found", QStringLiteral("Project not found."));
    if (parts.size() == 3 && request.method == "GET") {
        const QJsonObject project{{QStringLiteral("id"), m_projectId},
                                  {QStringLiteral("uuid"), fakeUuid("project")},
                                  {QStringLiteral("name"), QStringLiteral("Mako Demo")},
                                  {QStringLiteral("timezone"), QStringLiteral("UTC")}};
        return FakeResponse::json(200, QJsonDocument(project).toJson(QJsonDocument::Compact));
    }
    if (parts.size() == 4 && parts[3] == QLatin1String("query") && request.method == "POST")
        return query(request);
    if (parts.size() == 4 && request.method == "GET" && parts[3] != QLatin1String("events") &&
        m_entities.count(parts[3]))
        return list(parts[3], request);
    return drfError(404, "invalid_request", "not_found", QStringLiteral("Not found."));
}

FakeResponse FakePostHogServer::list(const QString &entity, const FakeRequest &request)
{
    Entity &data = m_entities[entity];
    bool okLimit = true;
    bool okOffset = true;
    const int limit = request.query.hasQueryItem(QStringLiteral("limit"))
                          ? request.query.queryItemValue(QStringLiteral("limit")).toInt(&okLimit)
                          : 100;
    const int offset = request.query.hasQueryItem(QStringLiteral("offset"))
                           ? request.query.queryItemValue(QStringLiteral("offset")).toInt(&okOffset)
                           : 0;
    if (!okLimit || !okOffset || limit < 1 || offset < 0)
        return drfError(400, "validation_error", "invalid_input", QStringLiteral("Invalid limit or offset."));
    const qsizetype total = qsizetype(data.records.size());
    const qsizetype end = qMin<qsizetype>(total, qsizetype(offset) + limit);
    const auto pageUrl = [&](qsizetype at) {
        QUrl url = m_nextBase.isEmpty() ? baseUrl() : m_nextBase;
        url.setPath(request.path);
        url.setQuery(QStringLiteral("limit=%1&offset=%2").arg(limit).arg(at));
        return QJsonValue(url.toString());
    };
    QByteArray body = "{";
    if (entity != QLatin1String("persons")) // the persons list does not count
        body += "\"count\": " + QByteArray::number(total) + ", ";
    body += "\"next\": " + compact(end < total ? pageUrl(end) : QJsonValue(QJsonValue::Null));
    body += ", \"previous\": " +
            compact(offset > 0 ? pageUrl(qMax(0, offset - limit)) : QJsonValue(QJsonValue::Null));
    body += ", \"results\": [";
    const bool malformed = data.malformedPage >= 0 && data.malformedPage == offset / limit;
    for (qsizetype i = offset; i < end; ++i) {
        if (i > offset)
            body += ", ";
        if (malformed && data.malformedKind == Malformed::RecordWithoutKey && i == offset)
            body += "{\"name\": \"no id\"}";
        else
            body += data.records[size_t(i)].json;
    }
    body += "]}";
    if (malformed && data.malformedKind == Malformed::Truncated)
        body.truncate(body.size() / 2);
    if (malformed && data.malformedKind == Malformed::MissingResults)
        body = "{\"count\": 0, \"next\": null, \"previous\": null}";
    return FakeResponse::json(200, body);
}

FakeResponse FakePostHogServer::query(const FakeRequest &request)
{
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QJsonObject q = body.value(QStringLiteral("query")).toObject();
    if (q.value(QStringLiteral("kind")).toString() != QLatin1String("HogQLQuery"))
        return drfError(400, "validation_error", "invalid_input", QStringLiteral("Unsupported query kind."));
    const QString sql = q.value(QStringLiteral("query")).toString();
    m_queries.append(sql);

    // Just the shape the connector sends; anything else is a syntax error, as HogQL would say.
    static const QRegularExpression shape(QStringLiteral(
        "^SELECT (.+) FROM events WHERE (.+) ORDER BY timestamp ASC, uuid ASC LIMIT (\\d+) OFFSET (\\d+)$"));
    const auto match = shape.match(sql);
    if (!match.hasMatch())
        return drfError(400, "validation_error", "syntax_error",
                        QStringLiteral("Syntax error in HogQL: %1").arg(sql));
    QStringList columns = match.captured(1).split(QLatin1Char(','));
    for (QString &c : columns)
        c = c.trimmed();
    const QStringList known = eventColumns();
    QList<int> indexes;
    for (const QString &c : columns) {
        if (!known.contains(c))
            return drfError(400, "validation_error", "invalid_input",
                            QStringLiteral("Unable to resolve field: %1").arg(c));
        indexes.append(known.indexOf(c));
    }
    QDateTime after;
    QDateTime until;
    static const QRegularExpression bound(
        QStringLiteral("timestamp (>|<=) toDateTime64\\('([0-9: .-]+)', 6, 'UTC'\\)"));
    const QStringList conditions = match.captured(2).split(QStringLiteral(" AND "));
    for (const QString &condition : conditions) {
        const auto b = bound.match(condition);
        if (!b.hasMatch() || b.capturedLength(0) != condition.size())
            return drfError(400, "validation_error", "syntax_error",
                            QStringLiteral("Unsupported condition: %1").arg(condition));
        QDateTime at = QDateTime::fromString(b.captured(2), QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        at.setTimeSpec(Qt::UTC);
        (b.captured(1) == QLatin1String(">") ? after : until) = at;
    }
    const int limit = match.captured(3).toInt();
    const int offset = match.captured(4).toInt();

    Entity &events = m_entities[QStringLiteral("events")];
    std::vector<const Rec *> selected;
    for (const Rec &rec : events.records) {
        if (after.isValid() && rec.timestamp <= after)
            continue;
        if (until.isValid() && rec.timestamp > until)
            continue;
        selected.push_back(&rec);
    }
    std::stable_sort(selected.begin(), selected.end(), [](const Rec *a, const Rec *b) {
        return a->timestamp != b->timestamp ? a->timestamp < b->timestamp : a->key < b->key;
    });
    const qsizetype end = qMin<qsizetype>(qsizetype(selected.size()), qsizetype(offset) + limit);
    const bool malformed = events.malformedPage >= 0 && limit > 0 && events.malformedPage == offset / limit;

    QByteArray out = "{\"cache_key\": \"fake\", \"is_cached\": false, \"columns\": [";
    for (int c = 0; c < columns.size(); ++c)
        out += (c ? ", \"" : "\"") + columns[c].toLatin1() + '"';
    out += "], \"types\": [";
    for (int c = 0; c < columns.size(); ++c)
        out += c ? ", [\"String\"]" : "[\"String\"]";
    out += "], \"results\": [";
    for (qsizetype i = offset; i < end; ++i) {
        if (i > offset)
            out += ", ";
        out += '[';
        const int shown = malformed && events.malformedKind == Malformed::RecordWithoutKey && i == offset
                              ? int(indexes.size()) - 1
                              : int(indexes.size());
        for (int c = 0; c < shown; ++c)
            out += (c ? ", " : "") + selected[size_t(i)]->values[indexes[c]];
        out += ']';
    }
    out += "], \"hasMore\": " + QByteArray(end < qsizetype(selected.size()) ? "true" : "false");
    out += ", \"limit\": " + QByteArray::number(limit) + ", \"offset\": " + QByteArray::number(offset);
    out += ", \"hogql\": " + compact(sql) + ", \"timings\": []}";
    if (malformed && events.malformedKind == Malformed::Truncated)
        out.truncate(out.size() / 2);
    if (malformed && events.malformedKind == Malformed::MissingResults)
        out = "{\"columns\": [\"uuid\"], \"error\": null}";
    return FakeResponse::json(200, out);
}
