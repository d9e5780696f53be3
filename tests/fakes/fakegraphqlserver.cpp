#include "fakegraphqlserver.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

namespace {

QString isoMinutes(qint64 minutes)
{
    const QDateTime base(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);
    return base.addSecs(minutes * 60).toString(Qt::ISODate);
}

QString pad(int n)
{
    return QStringLiteral("%1").arg(n, 4, 10, QLatin1Char('0'));
}

QByteArray cursorFor(int index)
{
    return QByteArray("cursor:" + QByteArray::number(index)).toBase64();
}

FakeResponse errors(int status, const QByteArray &message, const QByteArray &extra = {})
{
    return FakeResponse::json(status, "{\"errors\":[{\"message\":\"" + message + "\"" + extra + "}]}");
}

} // namespace

FakeGraphQLServer::FakeGraphQLServer() = default;

FakeGraphQLServer::~FakeGraphQLServer()
{
    stop();
}

void FakeGraphQLServer::renderIssue(Item &item) const
{
    item.json = "{\"id\":\"I_" + pad(item.n).toUtf8() + "\",\"number\":" + QByteArray::number(item.n) +
                ",\"title\":\"Issue \\u2116 " + QByteArray::number(item.n) +
                " \xe2\x80\x94 broken\",\"updatedAt\":\"" + item.updatedAt.toUtf8() +
                "\",\"labels\":{\"nodes\":[{\"name\":\"bug\"}]}}";
}

void FakeGraphQLServer::seedIssues(int count)
{
    QMutexLocker lock(&m_mutex);
    m_issues.clear();
    for (int n = 1; n <= count; ++n) {
        Item item;
        item.n = n;
        item.updatedAt = isoMinutes(n);
        renderIssue(item);
        m_issues.push_back(item);
    }
}

void FakeGraphQLServer::seedUsers(int count)
{
    QMutexLocker lock(&m_mutex);
    m_users.clear();
    for (int n = 1; n <= count; ++n) {
        Item item;
        item.n = n;
        item.json = "{\"id\":\"U_" + pad(n).toUtf8() + "\",\"login\":\"user" + QByteArray::number(n) +
                    "\",\"createdAt\":\"" + isoMinutes(n).toUtf8() + "\"}";
        m_users.push_back(item);
    }
}

void FakeGraphQLServer::touchIssue(int n)
{
    QMutexLocker lock(&m_mutex);
    for (Item &item : m_issues) {
        if (item.n == n) {
            item.updatedAt = isoMinutes(100000 + ++m_touchCounter);
            renderIssue(item);
        }
    }
}

QStringList FakeGraphQLServer::issueIds() const
{
    QMutexLocker lock(&m_mutex);
    QStringList ids;
    for (const Item &item : m_issues)
        ids.append(QStringLiteral("I_") + pad(item.n));
    ids.sort();
    return ids;
}

QStringList FakeGraphQLServer::userIds() const
{
    QMutexLocker lock(&m_mutex);
    QStringList ids;
    for (const Item &item : m_users)
        ids.append(QStringLiteral("U_") + pad(item.n));
    ids.sort();
    return ids;
}

QByteArray FakeGraphQLServer::issueJson(int n) const
{
    QMutexLocker lock(&m_mutex);
    for (const Item &item : m_issues) {
        if (item.n == n)
            return item.json;
    }
    return {};
}

void FakeGraphQLServer::setToken(const QString &token)
{
    QMutexLocker lock(&m_mutex);
    m_token = token;
}

void FakeGraphQLServer::setRateLimitEvery(int n, int retryAfterSeconds)
{
    QMutexLocker lock(&m_mutex);
    m_rateLimitEvery = n;
    m_retryAfterSeconds = retryAfterSeconds;
    m_counter = 0;
}

void FakeGraphQLServer::setMalformedPage(int pageIndex, Malformed kind)
{
    QMutexLocker lock(&m_mutex);
    m_malformedPage = pageIndex;
    m_malformedKind = kind;
}

void FakeGraphQLServer::setPartialErrors(bool on)
{
    QMutexLocker lock(&m_mutex);
    m_partialErrors = on;
}

int FakeGraphQLServer::pageRequestCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_pageRequests;
}

QList<QJsonObject> FakeGraphQLServer::variablesLog() const
{
    QMutexLocker lock(&m_mutex);
    return m_variables;
}

// Server thread.
FakeResponse FakeGraphQLServer::handle(const FakeRequest &request)
{
    QMutexLocker lock(&m_mutex);
    if (request.path != QLatin1String("/graphql"))
        return FakeResponse::json(404, "{\"message\":\"Not Found\"}");
    if (request.method != "POST")
        return errors(405, "GraphQL takes POST");
    if (m_rateLimitEvery > 0 && ++m_counter % m_rateLimitEvery == 0) {
        FakeResponse response = errors(429, "API rate limit exceeded");
        response.headers.append({"Retry-After", QByteArray::number(m_retryAfterSeconds)});
        return response;
    }
    if (!m_token.isEmpty() && request.headers.value("authorization") != "Bearer " + m_token.toUtf8())
        return errors(401, "Bad credentials");
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QString query = body.value(QStringLiteral("query")).toString();
    const QJsonObject variables = body.value(QStringLiteral("variables")).toObject();
    if (query.isEmpty())
        return errors(400, "A query is required");
    if (query.contains(QLatin1String("__typename")) && !query.contains(QLatin1String("issues")) &&
        !query.contains(QLatin1String("users")))
        return FakeResponse::json(200, "{\"data\":{\"__typename\":\"Query\"}}");
    if (query.contains(QLatin1String("brokenField")))
        return errors(
            200, "Field 'brokenField' doesn't exist on type 'Issue'",
            ",\"locations\":[{\"line\":1,\"column\":42}],\"extensions\":{\"code\":\"undefinedField\"}");

    const bool issues = query.contains(QLatin1String("issues"));
    if (!issues && !query.contains(QLatin1String("users")))
        return errors(200, "Field 'widgets' doesn't exist on type 'Query'");
    m_variables.append(variables);
    ++m_pageRequests;
    const std::vector<Item> &all = issues ? m_issues : m_users;
    const QString since = variables.value(QStringLiteral("since")).toString();
    std::vector<const Item *> items;
    for (const Item &item : all) {
        if (since.isEmpty() || item.updatedAt >= since)
            items.push_back(&item);
    }
    const int first = qBound(1, variables.value(QStringLiteral("first")).toInt(10), 100);
    const QString after = variables.value(QStringLiteral("after")).toString();
    const int start = after.isEmpty() ? 0 : QByteArray::fromBase64(after.toLatin1()).mid(7).toInt() + 1;
    const int end = qMin(int(items.size()), start + first);
    const bool more = end < int(items.size());
    const bool broken = m_malformedPage >= 0 && start / first == m_malformedPage;

    QByteArray list;
    for (int i = start; i < end; ++i) {
        if (i > start)
            list += ',';
        if (issues)
            list += "{\"cursor\":\"" + cursorFor(i) + "\",\"node\":" + items[size_t(i)]->json + "}";
        else
            list += items[size_t(i)]->json;
    }
    const QByteArray endCursor = end > start ? '"' + cursorFor(end - 1) + '"' : QByteArray("null");
    const QByteArray pageInfo = "\"pageInfo\":{\"hasNextPage\":" + QByteArray(more ? "true" : "false") +
                                ",\"endCursor\":" + endCursor + "}";
    QByteArray connection;
    if (issues) {
        connection = "{\"totalCount\":" + QByteArray::number(items.size());
        if (!(broken && m_malformedKind == Malformed::NoRecords))
            connection += ",\"edges\":[" + list + "]";
        if (!(broken && m_malformedKind == Malformed::NoPageInfo))
            connection += ',' + pageInfo;
        connection += '}';
    } else {
        connection = "{";
        if (!(broken && m_malformedKind == Malformed::NoRecords))
            connection += "\"nodes\":[" + list + "],";
        connection += broken && m_malformedKind == Malformed::NoPageInfo ? QByteArray("\"x\":1") : pageInfo;
        connection += '}';
    }
    QByteArray response = issues ? "{\"data\":{\"repository\":{\"issues\":" + connection + "}}"
                                 : "{\"data\":{\"users\":" + connection + "}";
    if (m_partialErrors)
        response +=
            ",\"errors\":[{\"message\":\"Something went wrong while executing your query.\",\"path\":["
            "\"repository\",\"issues\"]}]";
    response += '}';
    if (broken && m_malformedKind == Malformed::Truncated)
        response.truncate(response.size() / 2);
    return FakeResponse::json(200, response);
}
