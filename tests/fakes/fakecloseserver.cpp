#include "fakecloseserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <utility>

namespace {

struct EntitySpec
{
    const char *name;
    const char *endpoint;
    const char *prefix;
    // Query parameters the list endpoint accepts besides _skip, _limit, _fields and _order_by.
    QStringList filters;
};

const QList<EntitySpec> &specs()
{
    static const QList<EntitySpec> all{
        {"leads", "lead", "lead", {QStringLiteral("query")}},
        {"contacts", "contact", "cont", {QStringLiteral("lead_id")}},
        {"opportunities",
         "opportunity",
         "oppo",
         {QStringLiteral("lead_id"), QStringLiteral("status_type"), QStringLiteral("date_created__gt"),
          QStringLiteral("date_created__gte"), QStringLiteral("date_created__lt"),
          QStringLiteral("date_updated__gt"), QStringLiteral("date_updated__gte"),
          QStringLiteral("date_updated__lt")}},
        {"activities",
         "activity",
         "acti",
         {QStringLiteral("lead_id"), QStringLiteral("_type"), QStringLiteral("date_created__gt"),
          QStringLiteral("date_created__gte"), QStringLiteral("date_created__lt")}},
        {"tasks",
         "task",
         "task",
         {QStringLiteral("lead_id"), QStringLiteral("_type"), QStringLiteral("_type__in"),
          QStringLiteral("view"), QStringLiteral("is_complete"), QStringLiteral("date_created__gt"),
          QStringLiteral("date_created__gte"), QStringLiteral("date_updated__gt"),
          QStringLiteral("date_updated__gte"), QStringLiteral("date_updated__lt")}},
        {"users", "user", "user", {}},
    };
    return all;
}

const EntitySpec *specOf(const QString &entity)
{
    for (const EntitySpec &spec : specs()) {
        if (entity == QLatin1String(spec.name))
            return &spec;
    }
    return nullptr;
}

const EntitySpec *specOfEndpoint(const QString &endpoint)
{
    for (const EntitySpec &spec : specs()) {
        if (endpoint == QLatin1String(spec.endpoint))
            return &spec;
    }
    return nullptr;
}

// Close writes timestamps with microseconds and an explicit offset.
QString closeTime(qint64 secondsAfterEpoch2024, int micros)
{
    const QDateTime base(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);
    return base.addSecs(secondsAfterEpoch2024).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) +
           QStringLiteral(".%1+00:00").arg(micros, 6, 10, QLatin1Char('0'));
}

QByteArray closeError(const QString &message)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
}

// A clause of the lead search query the fake understands: `date_created >= "2024-01-01T…"`.
struct QueryClause
{
    QString field;
    QString op;
    QString value;
};

// The part of Close's lead query language a sync uses: date comparisons on date_created and date_updated
// ("field op \"value\"", space separated) and sort:field or sort:-field. False for anything else.
bool parseLeadQuery(const QString &query, QList<QueryClause> *clauses, QString *sort)
{
    QStringList tokens;
    QString token;
    bool quoted = false;
    for (const QChar c : query) {
        if (c == QLatin1Char('"'))
            quoted = !quoted;
        else if (c == QLatin1Char(' ') && !quoted) {
            if (!token.isEmpty())
                tokens.append(std::exchange(token, QString()));
            continue;
        }
        token += c;
    }
    if (!token.isEmpty())
        tokens.append(token);
    static const QStringList fields{QStringLiteral("date_created"), QStringLiteral("date_updated")};
    static const QStringList ops{QStringLiteral(">"), QStringLiteral(">="), QStringLiteral("<"),
                                 QStringLiteral("<=")};
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        if (tokens[i].startsWith(QLatin1String("sort:"))) {
            *sort = tokens[i].mid(5);
            if (!fields.contains(sort->startsWith(QLatin1Char('-')) ? sort->mid(1) : *sort))
                return false;
            continue;
        }
        if (i + 2 >= tokens.size() || !fields.contains(tokens[i]) || !ops.contains(tokens[i + 1]) ||
            !tokens[i + 2].startsWith(QLatin1Char('"')) || !tokens[i + 2].endsWith(QLatin1Char('"')))
            return false;
        clauses->append({tokens[i], tokens[i + 1], tokens[i + 2].mid(1, tokens[i + 2].size() - 2)});
        i += 2;
    }
    return true;
}

bool passes(const QString &field, const QString &op, const QString &value)
{
    // Both sides are written the same way, so text order is time order.
    if (op == QLatin1String(">"))
        return field > value;
    if (op == QLatin1String(">="))
        return field >= value;
    if (op == QLatin1String("<"))
        return field < value;
    return field <= value;
}

const char *const kTaskTypes[] = {"lead", "missed_call", "incoming_email"};

} // namespace

FakeCloseServer::FakeCloseServer()
{
    m_clock.start();
    for (const EntitySpec &spec : specs())
        m_entities[QLatin1String(spec.name)];
}

FakeCloseServer::~FakeCloseServer()
{
    stop(); // no request may reach handle() while members are destroyed
}

QStringList FakeCloseServer::entities()
{
    QStringList names;
    for (const EntitySpec &spec : specs())
        names.append(QLatin1String(spec.name));
    return names;
}

QString FakeCloseServer::endpoint(const QString &entity)
{
    const EntitySpec *spec = specOf(entity);
    return spec ? QLatin1String(spec->endpoint) : QString();
}

void FakeCloseServer::setApiKey(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_apiKey = key.toUtf8();
}

QString FakeCloseServer::apiKey() const
{
    QMutexLocker lock(&m_mutex);
    return QString::fromUtf8(m_apiKey);
}

void FakeCloseServer::render(const QString &entity, Rec &rec) const
{
    const int n = rec.n;
    QJsonObject o{{QStringLiteral("id"), QString::fromLatin1(rec.id)},
                  {QStringLiteral("organization_id"), QStringLiteral("orga_mako")},
                  {QStringLiteral("date_created"), rec.dateCreated},
                  {QStringLiteral("date_updated"), rec.dateUpdated},
                  {QStringLiteral("created_by"), QStringLiteral("user_0000000001")}};
    const QString leadId = QStringLiteral("lead_%1").arg((n - 1) % 7 + 1, 10, 10, QLatin1Char('0'));
    if (entity == QLatin1String("leads")) {
        o.insert(QStringLiteral("display_name"), QStringLiteral("Company %1 \"Ltd\"").arg(n));
        o.insert(QStringLiteral("name"), QStringLiteral("Company %1 \"Ltd\"").arg(n));
        o.insert(QStringLiteral("status_label"),
                 n % 3 ? QStringLiteral("Potential") : QStringLiteral("Qualified"));
        o.insert(QStringLiteral("url"), n % 2 ? QJsonValue(QStringLiteral("https://company%1.example").arg(n))
                                              : QJsonValue(QJsonValue::Null));
        o.insert(QStringLiteral("contacts"), QJsonArray{});
        o.insert(QStringLiteral("custom.cf_tier"), n % 4 ? QStringLiteral("B") : QStringLiteral("A"));
    } else if (entity == QLatin1String("contacts")) {
        o.insert(QStringLiteral("lead_id"), leadId);
        o.insert(QStringLiteral("name"), QStringLiteral("Person Ünicode %1").arg(n));
        o.insert(QStringLiteral("title"), QStringLiteral("Buyer"));
        o.insert(
            QStringLiteral("emails"),
            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("office")},
                                   {QStringLiteral("email"), QStringLiteral("p%1@example.com").arg(n)}}});
    } else if (entity == QLatin1String("opportunities")) {
        o.insert(QStringLiteral("lead_id"), leadId);
        o.insert(QStringLiteral("status_type"), n % 5 ? QStringLiteral("active") : QStringLiteral("won"));
        o.insert(QStringLiteral("value"), n * 1000);
        o.insert(QStringLiteral("value_currency"), QStringLiteral("USD"));
        o.insert(QStringLiteral("confidence"), (n * 10) % 100);
    } else if (entity == QLatin1String("activities")) {
        static const char *const types[] = {"Call", "Email", "Note", "Meeting"};
        o.insert(QStringLiteral("_type"), QLatin1String(types[n % 4]));
        o.insert(QStringLiteral("lead_id"), leadId);
        o.insert(QStringLiteral("activity_at"), rec.dateCreated);
        o.insert(QStringLiteral("user_id"), QStringLiteral("user_0000000001"));
    } else if (entity == QLatin1String("tasks")) {
        o.insert(QStringLiteral("_type"), rec.type);
        o.insert(QStringLiteral("lead_id"), leadId);
        o.insert(QStringLiteral("text"), QStringLiteral("Follow up #%1").arg(n));
        o.insert(QStringLiteral("is_complete"), n % 2 == 0);
        o.insert(QStringLiteral("date"), rec.dateCreated.left(10));
    } else if (entity == QLatin1String("users")) {
        o.insert(QStringLiteral("email"), QStringLiteral("user%1@example.com").arg(n));
        o.insert(QStringLiteral("first_name"), QStringLiteral("User"));
        o.insert(QStringLiteral("last_name"), QString::number(n));
    }
    rec.json = QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void FakeCloseServer::embedContacts()
{
    std::map<QString, QList<QByteArray>> byLead;
    for (const Rec &contact : m_entities[QStringLiteral("contacts")].records)
        byLead[QJsonDocument::fromJson(contact.json).object().value(QStringLiteral("lead_id")).toString()]
            .append(contact.json);
    for (Rec &lead : m_entities[QStringLiteral("leads")].records) {
        render(QStringLiteral("leads"), lead);
        const auto it = byLead.find(QString::fromLatin1(lead.id));
        if (it != byLead.end())
            lead.json.replace("\"contacts\":[]", "\"contacts\":[" + it->second.join(',') + ']');
    }
}

void FakeCloseServer::seed(const QString &entity, int count)
{
    const EntitySpec *spec = specOf(entity);
    Q_ASSERT(spec);
    QMutexLocker lock(&m_mutex);
    Entity &data = m_entities[entity];
    data.records.clear();
    for (int n = 1; n <= count; ++n) {
        Rec rec;
        rec.n = n;
        rec.id = QByteArray(spec->prefix) + '_' + QByteArray::number(n).rightJustified(10, '0');
        rec.dateCreated = closeTime(qint64(n) * 3600, (n * 7919) % 1000000);
        // Updated a few days after creation, in an order that differs from creation order.
        rec.dateUpdated = closeTime(qint64(n) * 3600 + ((n * 37) % 11) * 86400, (n * 104729) % 1000000);
        rec.type = QLatin1String(kTaskTypes[n % 3]);
        render(entity, rec);
        data.records.push_back(rec);
    }
    if (entity == QLatin1String("leads") || entity == QLatin1String("contacts"))
        embedContacts();
}

void FakeCloseServer::touch(const QString &entity, int n, const QString &dateUpdated)
{
    QMutexLocker lock(&m_mutex);
    for (Rec &rec : m_entities[entity].records) {
        if (rec.n == n) {
            rec.dateUpdated = dateUpdated;
            render(entity, rec);
        }
    }
    if (entity == QLatin1String("leads") || entity == QLatin1String("contacts"))
        embedContacts();
}

void FakeCloseServer::setCreated(const QString &entity, int n, const QString &dateCreated, int through)
{
    QMutexLocker lock(&m_mutex);
    for (Rec &rec : m_entities[entity].records) {
        if (rec.n >= n && rec.n <= qMax(n, through)) {
            rec.dateCreated = dateCreated;
            render(entity, rec);
        }
    }
    if (entity == QLatin1String("leads") || entity == QLatin1String("contacts"))
        embedContacts();
}

void FakeCloseServer::setSkipCap(int cap)
{
    QMutexLocker lock(&m_mutex);
    m_skipCap = cap;
}

QStringList FakeCloseServer::ids(const QString &entity) const
{
    QMutexLocker lock(&m_mutex);
    QStringList list;
    for (const Rec &rec : m_entities.at(entity).records)
        list.append(QString::fromLatin1(rec.id));
    return list;
}

QStringList FakeCloseServer::idsAfter(const QString &entity, const QString &field, const QString &since) const
{
    QMutexLocker lock(&m_mutex);
    QStringList list;
    for (const Rec &rec : m_entities.at(entity).records) {
        const QString &value = field == QLatin1String("date_created") ? rec.dateCreated : rec.dateUpdated;
        if (value > since)
            list.append(QString::fromLatin1(rec.id));
    }
    return list;
}

QByteArray FakeCloseServer::recordJson(const QString &entity, const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    for (const Rec &rec : m_entities.at(entity).records) {
        if (rec.id == id.toLatin1())
            return rec.json;
    }
    return {};
}

QString FakeCloseServer::dateOf(const QString &entity, int n, const QString &field) const
{
    QMutexLocker lock(&m_mutex);
    for (const Rec &rec : m_entities.at(entity).records) {
        if (rec.n == n)
            return field == QLatin1String("date_created") ? rec.dateCreated : rec.dateUpdated;
    }
    return {};
}

void FakeCloseServer::rateLimitFor(int ms, RateLimitStyle style)
{
    QMutexLocker lock(&m_mutex);
    m_rateLimitUntil = m_clock.elapsed() + ms;
    m_rateLimitStyle = style;
}

int FakeCloseServer::rateLimitedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_rateLimited;
}

void FakeCloseServer::setMalformedPage(const QString &entity, int pageIndex, Malformed kind)
{
    QMutexLocker lock(&m_mutex);
    m_entities[entity].malformedPage = pageIndex;
    m_entities[entity].malformedKind = kind;
}

void FakeCloseServer::clearMalformed()
{
    QMutexLocker lock(&m_mutex);
    for (auto &entry : m_entities)
        entry.second.malformedPage = -1;
}

void FakeCloseServer::failNext(int count, int status)
{
    QMutexLocker lock(&m_mutex);
    m_failCount = count;
    m_failStatus = status;
}

int FakeCloseServer::listRequestCount(const QString &entity) const
{
    QMutexLocker lock(&m_mutex);
    return m_entities.at(entity).listRequests;
}

FakeResponse FakeCloseServer::rateLimited() const
{
    const qint64 left = qMax<qint64>(1, m_rateLimitUntil - m_clock.elapsed());
    const double reset = left / 1000.0;
    const int wholeSeconds = int(std::ceil(reset));
    const QJsonObject error{
        {QStringLiteral("rate_reset"), std::round(reset * 1000) / 1000},
        {QStringLiteral("message"), QStringLiteral("API call count exceeded for this 15 second window")},
        {QStringLiteral("rate_limit"), 40},
        {QStringLiteral("rate_limit_type"), QStringLiteral("key")},
        {QStringLiteral("rate_window"), 15}};
    FakeResponse response = FakeResponse::json(
        429, QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact));
    if (m_rateLimitStyle == RateLimitStyle::Full)
        response.headers.append(QPair<QByteArray, QByteArray>{
            "RateLimit", "limit=40, remaining=0, reset=" + QByteArray::number(wholeSeconds)});
    if (m_rateLimitStyle != RateLimitStyle::BodyOnly)
        response.headers.append(
            QPair<QByteArray, QByteArray>{"Retry-After", QByteArray::number(wholeSeconds)});
    return response;
}

FakeResponse FakeCloseServer::handle(const FakeRequest &request)
{
    QMutexLocker lock(&m_mutex);
    if (m_failCount > 0) {
        --m_failCount;
        return FakeResponse::json(m_failStatus, closeError(QStringLiteral("Internal server error")));
    }
    if (m_rateLimitUntil > m_clock.elapsed()) {
        ++m_rateLimited;
        return rateLimited();
    }

    // HTTP Basic with the API key as user name and an empty password.
    const QByteArray authorization = request.headers.value("authorization");
    QByteArray user;
    QByteArray password;
    if (authorization.startsWith("Basic ")) {
        const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6).trimmed());
        const qsizetype colon = decoded.indexOf(':');
        user = colon < 0 ? decoded : decoded.left(colon);
        password = colon < 0 ? QByteArray() : decoded.mid(colon + 1);
    }
    if (user.isEmpty() || user != m_apiKey || !password.isEmpty()) {
        FakeResponse denied =
            FakeResponse::json(401, closeError(QStringLiteral("The API key you provided is invalid.")));
        denied.headers.append(QPair<QByteArray, QByteArray>{"WWW-Authenticate", "Basic realm=\"Close\""});
        return denied;
    }

    // "/api/v1/lead/" -> ["", "api", "v1", "lead", ""]
    const QStringList parts = request.path.split(QLatin1Char('/'));
    if (request.method != "GET" || parts.size() != 5 || parts[1] != QLatin1String("api") ||
        parts[2] != QLatin1String("v1") || !parts[4].isEmpty())
        return FakeResponse::json(404, closeError(QStringLiteral("Not found.")));
    if (parts[3] == QLatin1String("me")) {
        const QJsonObject me{
            {QStringLiteral("id"), QStringLiteral("user_0000000001")},
            {QStringLiteral("email"), QStringLiteral("ada@example.com")},
            {QStringLiteral("first_name"), QStringLiteral("Ada")},
            {QStringLiteral("last_name"), QStringLiteral("Lovelace")},
            {QStringLiteral("organizations"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("orga_mako")},
                                    {QStringLiteral("name"), QStringLiteral("Mako Test Org")}}}}};
        return FakeResponse::json(200, QJsonDocument(me).toJson(QJsonDocument::Compact));
    }
    const EntitySpec *spec = specOfEndpoint(parts[3]);
    if (!spec)
        return FakeResponse::json(404, closeError(QStringLiteral("Not found.")));
    const QString entity = QLatin1String(spec->name);
    return list(entity, m_entities[entity], request);
}

FakeResponse FakeCloseServer::list(const QString &entity, Entity &data, const FakeRequest &request)
{
    const EntitySpec *spec = specOf(entity);
    const auto items = request.query.queryItems(QUrl::FullyDecoded);
    QJsonObject fieldErrors;
    for (const auto &item : items) {
        static const QStringList common{QStringLiteral("_skip"), QStringLiteral("_limit"),
                                        QStringLiteral("_fields"), QStringLiteral("_order_by")};
        if (!common.contains(item.first) && !spec->filters.contains(item.first))
            fieldErrors.insert(item.first, QStringLiteral("Unknown filter."));
    }
    bool okSkip = true;
    bool okLimit = true;
    const int skip = request.query.hasQueryItem(QStringLiteral("_skip"))
                         ? request.query.queryItemValue(QStringLiteral("_skip")).toInt(&okSkip)
                         : 0;
    const int limit = request.query.hasQueryItem(QStringLiteral("_limit"))
                          ? request.query.queryItemValue(QStringLiteral("_limit")).toInt(&okLimit)
                          : 100;
    if (!okSkip || skip < 0)
        fieldErrors.insert(QStringLiteral("_skip"), QStringLiteral("Must be a non-negative integer."));
    if (!okLimit || limit < 1 || limit > 100)
        fieldErrors.insert(QStringLiteral("_limit"), QStringLiteral("Must be between 1 and 100."));
    const QString orderBy = request.query.queryItemValue(QStringLiteral("_order_by"));
    if (!orderBy.isEmpty() && entity != QLatin1String("users")) {
        static const QStringList sortable{QStringLiteral("date_created"), QStringLiteral("-date_created"),
                                          QStringLiteral("date_updated"), QStringLiteral("-date_updated")};
        if (!sortable.contains(orderBy) || entity == QLatin1String("leads") ||
            entity == QLatin1String("contacts"))
            fieldErrors.insert(QStringLiteral("_order_by"), QStringLiteral("Invalid ordering."));
    }
    if (!fieldErrors.isEmpty()) {
        const QJsonObject body{{QStringLiteral("errors"), QJsonArray{}},
                               {QStringLiteral("field-errors"), fieldErrors}};
        return FakeResponse::json(400, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    if (m_skipCap >= 0 && skip >= m_skipCap) {
        const QJsonObject body{
            {QStringLiteral("error"),
             QStringLiteral("Maximum _skip is %1. Use date ranges to page deeper.").arg(m_skipCap)}};
        return FakeResponse::json(400, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    QList<QueryClause> clauses;
    QString sort;
    if (!parseLeadQuery(request.query.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded), &clauses,
                        &sort))
        return FakeResponse::json(400, closeError(QStringLiteral("Invalid query.")));
    const QString order = sort.isEmpty() ? orderBy : sort;

    std::vector<const Rec *> selected;
    const QString type = request.query.queryItemValue(QStringLiteral("_type"));
    const QStringList typeIn =
        request.query.queryItemValue(QStringLiteral("_type__in")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const Rec &rec : data.records) {
        if (entity == QLatin1String("tasks")) {
            // Without _type Close lists lead tasks only.
            if (!typeIn.isEmpty()) {
                if (!typeIn.contains(rec.type))
                    continue;
            } else if (type != QLatin1String("all") &&
                       rec.type != (type.isEmpty() ? QStringLiteral("lead") : type)) {
                continue;
            }
        }
        bool keep = true;
        for (const auto &item : items) {
            const QString &name = item.first;
            const QString &value = item.second;
            const QString field = name.startsWith(QLatin1String("date_created"))   ? rec.dateCreated
                                  : name.startsWith(QLatin1String("date_updated")) ? rec.dateUpdated
                                                                                   : QString();
            if (field.isNull())
                continue;
            if (name.endsWith(QLatin1String("__gt")))
                keep = keep && passes(field, QStringLiteral(">"), value);
            else if (name.endsWith(QLatin1String("__gte")))
                keep = keep && passes(field, QStringLiteral(">="), value);
            else if (name.endsWith(QLatin1String("__lt")))
                keep = keep && passes(field, QStringLiteral("<"), value);
        }
        for (const QueryClause &clause : clauses)
            keep = keep &&
                   passes(clause.field == QLatin1String("date_created") ? rec.dateCreated : rec.dateUpdated,
                          clause.op, clause.value);
        if (keep)
            selected.push_back(&rec);
    }
    if (order.endsWith(QLatin1String("date_updated"))) {
        std::stable_sort(selected.begin(), selected.end(),
                         [](const Rec *a, const Rec *b) { return a->dateUpdated < b->dateUpdated; });
    } else if (order.endsWith(QLatin1String("date_created"))) {
        std::stable_sort(selected.begin(), selected.end(),
                         [](const Rec *a, const Rec *b) { return a->dateCreated < b->dateCreated; });
    }
    if (order.startsWith(QLatin1Char('-')))
        std::reverse(selected.begin(), selected.end());

    ++data.listRequests;
    const int pageIndex = skip / limit;
    const bool malformed = data.malformedPage >= 0 && data.malformedPage == pageIndex && skip % limit == 0;
    const qsizetype end = qMin<qsizetype>(qsizetype(selected.size()), qsizetype(skip) + limit);
    QByteArray body = "{\"has_more\": ";
    body += end < qsizetype(selected.size()) ? "true" : "false";
    body += ", \"data\": [";
    for (qsizetype i = skip; i < end; ++i) {
        if (i > skip)
            body += ", ";
        if (malformed && data.malformedKind == Malformed::RecordWithoutId && i == skip)
            body += "{\"name\": \"no id here\"}";
        else
            body += selected[size_t(i)]->json;
    }
    body += "]}";
    if (malformed) {
        switch (data.malformedKind) {
        case Malformed::Truncated:
            body.truncate(body.size() / 2);
            break;
        case Malformed::MissingData:
            body = "{\"has_more\": false}";
            break;
        case Malformed::MissingHasMore:
            body = "{\"data\": []}";
            break;
        case Malformed::RecordWithoutId:
            break;
        }
    }
    FakeResponse response = FakeResponse::json(200, body);
    response.headers.append(QPair<QByteArray, QByteArray>{"RateLimit", "limit=40, remaining=39, reset=15"});
    return response;
}
