#include "fakerestserver.h"

#include <QDateTime>
#include <QMutexLocker>

#include <algorithm>

namespace {

QByteArray quoted(const QString &text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

// Builds a JSON object from (dotted path, raw value) pairs, keeping their order: "info.count" and
// "info.next" land in one "info" object.
QByteArray buildObject(const QList<QPair<QStringList, QByteArray>> &members)
{
    QByteArray out = "{";
    QStringList seen;
    for (const auto &member : members) {
        const QString head = member.first.first();
        if (seen.contains(head))
            continue;
        seen.append(head);
        if (out.size() > 1)
            out += ',';
        out += quoted(head) + ':';
        if (member.first.size() == 1) {
            out += member.second;
            continue;
        }
        QList<QPair<QStringList, QByteArray>> nested;
        for (const auto &other : members) {
            if (other.first.first() == head && other.first.size() > 1)
                nested.append({other.first.mid(1), other.second});
        }
        out += buildObject(nested);
    }
    return out + '}';
}

QString isoMinutes(qint64 minutes)
{
    const QDateTime base(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);
    return base.addSecs(minutes * 60).toString(Qt::ISODate);
}

} // namespace

FakeRestServer::FakeRestServer() = default;

FakeRestServer::~FakeRestServer()
{
    stop(); // handle() must not run on a half-destroyed object
}

void FakeRestServer::render(Data &data, Item &item) const
{
    // A realistic record: nested object, array, non-ASCII text, escapes; served byte for byte.
    const QByteArray id = data.route.stringIds
                              ? quoted(QStringLiteral("item_%1").arg(item.n, 4, 10, QLatin1Char('0')))
                              : QByteArray::number(item.n);
    const QString name =
        QStringLiteral("%1-%2").arg(data.route.path.section(QLatin1Char('/'), -1)).arg(item.n);
    item.json = "{\"id\":" + id + ",\"name\":" + quoted(name) + ",\"title\":\"Caf\xc3\xa9 \\\"n\\u00b0 " +
                QByteArray::number(item.n) + "\\\"\"" + ",\"updated_at\":" + quoted(item.updatedAt) +
                ",\"tags\":[\"a\",\"b\"],\"owner\":{\"id\":" + QByteArray::number(item.n % 7) +
                ",\"url\":\"https://example.com/u/" + QByteArray::number(item.n % 7) +
                "\"},\"score\":" + QByteArray::number(item.n * 1.5) +
                ",\"active\":" + (item.n % 2 ? "true" : "false") + ",\"note\":null}";
}

void FakeRestServer::addRoute(const Route &route, int count)
{
    QMutexLocker lock(&m_mutex);
    Data &data = m_routes[route.path];
    data = Data();
    data.route = route;
    for (int n = 1; n <= count; ++n) {
        Item item;
        item.n = n;
        item.updatedAt = isoMinutes(n);
        render(data, item);
        data.items.push_back(item);
    }
    data.lastN = count;
}

void FakeRestServer::addRecords(const QString &path, int count)
{
    QMutexLocker lock(&m_mutex);
    Data &data = m_routes.at(path);
    for (int i = 0; i < count; ++i) {
        Item item;
        item.n = ++data.lastN;
        item.updatedAt = isoMinutes(100000 + ++m_touchCounter);
        render(data, item);
        data.items.push_back(item);
    }
}

void FakeRestServer::touch(const QString &path, int n)
{
    QMutexLocker lock(&m_mutex);
    Data &data = m_routes.at(path);
    for (Item &item : data.items) {
        if (item.n == n) {
            item.updatedAt = isoMinutes(100000 + ++m_touchCounter);
            render(data, item);
        }
    }
}

void FakeRestServer::removeRecord(const QString &path, int n)
{
    QMutexLocker lock(&m_mutex);
    auto &items = m_routes.at(path).items;
    items.erase(std::remove_if(items.begin(), items.end(), [n](const Item &item) { return item.n == n; }),
                items.end());
}

QStringList FakeRestServer::keys(const QString &path) const
{
    QMutexLocker lock(&m_mutex);
    const Data &data = m_routes.at(path);
    QStringList list;
    for (const Item &item : data.items)
        list.append(data.route.stringIds ? QStringLiteral("item_%1").arg(item.n, 4, 10, QLatin1Char('0'))
                                         : QString::number(item.n));
    list.sort();
    return list;
}

QStringList FakeRestServer::names(const QString &path) const
{
    QMutexLocker lock(&m_mutex);
    const Data &data = m_routes.at(path);
    QStringList list;
    for (const Item &item : data.items)
        list.append(QStringLiteral("%1-%2").arg(data.route.path.section(QLatin1Char('/'), -1)).arg(item.n));
    list.sort();
    return list;
}

QByteArray FakeRestServer::recordJson(const QString &path, int n) const
{
    QMutexLocker lock(&m_mutex);
    for (const Item &item : m_routes.at(path).items) {
        if (item.n == n)
            return item.json;
    }
    return {};
}

QString FakeRestServer::maxUpdatedAt(const QString &path) const
{
    QMutexLocker lock(&m_mutex);
    QString max;
    for (const Item &item : m_routes.at(path).items)
        max = qMax(max, item.updatedAt);
    return max;
}

void FakeRestServer::setAuth(Auth auth, const QString &secret, const QString &name, const QString &user)
{
    QMutexLocker lock(&m_mutex);
    m_auth = auth;
    m_secret = secret;
    m_keyName = name;
    m_user = user;
}

void FakeRestServer::setRateLimitEvery(int n, int retryAfterSeconds)
{
    QMutexLocker lock(&m_mutex);
    m_rateLimitEvery = n;
    m_retryAfterSeconds = retryAfterSeconds;
    m_counter = 0;
}

void FakeRestServer::failNext(int count, int status)
{
    QMutexLocker lock(&m_mutex);
    m_failCount = count;
    m_failStatus = status;
}

void FakeRestServer::setMalformedPage(const QString &path, int pageIndex, Malformed kind)
{
    QMutexLocker lock(&m_mutex);
    Data &data = m_routes.at(path);
    data.malformedPage = pageIndex;
    data.malformedKind = kind;
}

int FakeRestServer::listRequestCount(const QString &path) const
{
    QMutexLocker lock(&m_mutex);
    auto it = m_routes.find(path);
    return it == m_routes.end() ? 0 : it->second.listRequests;
}

bool FakeRestServer::authorized(const FakeRequest &request) const
{
    const QByteArray authorization = request.headers.value("authorization");
    switch (m_auth) {
    case Auth::None:
        return true;
    case Auth::Bearer:
        return authorization == "Bearer " + m_secret.toUtf8();
    case Auth::Basic:
        return authorization == "Basic " + (m_user + QLatin1Char(':') + m_secret).toUtf8().toBase64();
    case Auth::ApiKeyHeader:
        return request.headers.value(m_keyName.toLower().toUtf8()) == m_secret.toUtf8();
    case Auth::ApiKeyQuery:
        return request.query.queryItemValue(m_keyName, QUrl::FullyDecoded) == m_secret;
    }
    return false;
}

// Server thread.
FakeResponse FakeRestServer::handle(const FakeRequest &request)
{
    QMutexLocker lock(&m_mutex);
    if (m_failCount > 0) {
        --m_failCount;
        return FakeResponse::json(m_failStatus, "{\"message\":\"Temporarily unavailable\"}");
    }
    if (m_rateLimitEvery > 0 && ++m_counter % m_rateLimitEvery == 0) {
        FakeResponse response = FakeResponse::json(429, "{\"message\":\"Too many requests\"}");
        response.headers.append({"Retry-After", QByteArray::number(m_retryAfterSeconds)});
        return response;
    }
    if (!authorized(request))
        return FakeResponse::json(401, "{\"message\":\"Bad credentials\"}");
    auto it = m_routes.find(request.path);
    if (it == m_routes.end() || request.method != "GET")
        return FakeResponse::json(404, "{\"message\":\"Not Found\"}");
    return list(it->second, request);
}

FakeResponse FakeRestServer::list(Data &data, const FakeRequest &request)
{
    const Route &route = data.route;
    auto intParam = [&](const QString &name, int fallback) {
        bool ok = false;
        const int value = request.query.queryItemValue(name).toInt(&ok);
        return ok && !name.isEmpty() ? value : fallback;
    };
    std::vector<const Item *> items;
    const QString since = route.sinceParam.isEmpty()
                              ? QString()
                              : request.query.queryItemValue(route.sinceParam, QUrl::FullyDecoded);
    for (const Item &item : data.items) {
        if (since.isEmpty() || item.updatedAt >= since)
            items.push_back(&item);
    }
    const int total = int(items.size());
    int size =
        route.sizeParam.isEmpty() ? route.defaultPageSize : intParam(route.sizeParam, route.defaultPageSize);
    size = qBound(1, size, route.maxPageSize);
    int start = 0;
    int page = route.startPage;
    switch (route.paging) {
    case Paging::None:
        size = qMax(1, total);
        break;
    case Paging::Page:
    case Paging::Link:
        page = intParam(route.pageParam, route.startPage);
        start = (page - route.startPage) * size;
        break;
    case Paging::Offset:
    case Paging::NextUrl:
        start = intParam(route.offsetParam, 0);
        break;
    case Paging::Cursor: {
        const QString cursor = request.query.queryItemValue(route.cursorParam);
        start = cursor.isEmpty() ? 0 : QByteArray::fromBase64(cursor.toLatin1()).mid(2).toInt();
        break;
    }
    }
    const int pages = total == 0 ? 0 : (total + size - 1) / size;
    if (route.notFoundPastLastPage && start >= total && start > 0)
        return FakeResponse::json(404, "{\"error\":\"There is nothing here\"}");
    const int end = qMin(total, start + size);
    const bool more = end < total;
    ++data.listRequests;

    QByteArray array = "[";
    for (int i = start; i < end; ++i) {
        if (i > start)
            array += ',';
        array += items[size_t(i)]->json;
    }
    array += ']';

    // The next page, in the route's own style; other query parameters are kept, like real APIs do.
    auto urlWith = [&](const QList<QPair<QString, QString>> &set) {
        QUrlQuery query(request.query);
        for (const auto &item : set) {
            query.removeAllQueryItems(item.first);
            query.addQueryItem(item.first, item.second);
        }
        QUrl url = baseUrl();
        url.setPath(request.path);
        url.setQuery(query);
        return url.toString(QUrl::FullyEncoded).toUtf8();
    };
    QByteArray nextUrl;
    if (more) {
        if (route.paging == Paging::Offset || route.paging == Paging::NextUrl) {
            QList<QPair<QString, QString>> set{{route.offsetParam, QString::number(end)}};
            if (!route.sizeParam.isEmpty())
                set.append({route.sizeParam, QString::number(size)});
            nextUrl = urlWith(set);
        } else {
            nextUrl = urlWith({{route.pageParam, QString::number(page + 1)}});
        }
    }
    const QByteArray nextCursor =
        more ? quoted(QString::fromLatin1(QByteArray("c:" + QByteArray::number(end)).toBase64())) : "null";

    FakeResponse response;
    if (route.paging == Paging::Link) {
        QByteArray link;
        if (more)
            link += '<' + nextUrl + ">; rel=\"next\", ";
        link += '<' +
                urlWith({{route.pageParam,
                          QString::number(qMax(route.startPage, route.startPage + pages - 1))}}) +
                ">; rel=\"last\"";
        response.headers.append({"Link", link});
    }
    const int pageIndex = start / size;
    const bool broken = data.malformedPage >= 0 && pageIndex == data.malformedPage;
    if (route.recordsPath.isEmpty()) {
        response.body =
            broken && data.malformedKind != Malformed::Truncated ? QByteArray("{\"oops\":1}") : array;
    } else {
        QList<QPair<QStringList, QByteArray>> members;
        if (!(broken && data.malformedKind == Malformed::MissingRecords))
            members.append(
                {route.recordsPath.split(QLatin1Char('.')),
                 broken && data.malformedKind == Malformed::NotAnArray ? QByteArray("{\"oops\":1}") : array});
        if (!route.totalPath.isEmpty())
            members.append({route.totalPath.split(QLatin1Char('.')), QByteArray::number(total)});
        if (!route.totalPagesPath.isEmpty())
            members.append({route.totalPagesPath.split(QLatin1Char('.')), QByteArray::number(pages)});
        if (!route.hasMorePath.isEmpty())
            members.append({route.hasMorePath.split(QLatin1Char('.')), more ? "true" : "false"});
        if (!route.cursorPath.isEmpty())
            members.append({route.cursorPath.split(QLatin1Char('.')), nextCursor});
        if (!route.nextUrlPath.isEmpty())
            members.append({route.nextUrlPath.split(QLatin1Char('.')),
                            more ? quoted(QString::fromUtf8(nextUrl)) : "null"});
        response.body = buildObject(members);
    }
    if (broken && data.malformedKind == Malformed::Truncated)
        response.body.truncate(response.body.size() / 2);
    response.status = 200;
    return response;
}
