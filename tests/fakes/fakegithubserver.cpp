#include "fakegithubserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace {

QString isoTime(qint64 secondsAfter2024)
{
    return QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).addSecs(secondsAfter2024).toString(Qt::ISODate);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

FakeResponse githubError(int status, const QString &message, const QString &doc)
{
    return FakeResponse::json(status,
                              compact(QJsonObject{{QStringLiteral("message"), message},
                                                  {QStringLiteral("documentation_url"), doc},
                                                  {QStringLiteral("status"), QString::number(status)}}));
}

} // namespace

FakeGitHubServer::FakeGitHubServer()
{
    m_clock.start();
}

FakeGitHubServer::~FakeGitHubServer()
{
    stop();
}

void FakeGitHubServer::setToken(const QString &token)
{
    QMutexLocker lock(&m_mutex);
    m_token = token.toUtf8();
}

void FakeGitHubServer::setPathPrefix(const QString &prefix)
{
    QMutexLocker lock(&m_mutex);
    m_prefix = prefix;
}

void FakeGitHubServer::setOwner(const QString &login, bool organization)
{
    QMutexLocker lock(&m_mutex);
    m_owner = login;
    m_ownerIsOrg = organization;
}

void FakeGitHubServer::clearRepositories()
{
    QMutexLocker lock(&m_mutex);
    m_repos.clear();
}

void FakeGitHubServer::addRepository(const QString &name, int issues, int pulls, int commits, int releases)
{
    QMutexLocker lock(&m_mutex);
    Repo repo;
    repo.name = name;
    repo.index = m_nextRepoIndex++;
    repo.empty = commits == 0;
    const QString fullName = m_owner + QLatin1Char('/') + name;
    const QString htmlBase = QStringLiteral("https://github.example/") + fullName;
    const qint64 base = qint64(repo.index) * 100000;

    const QJsonObject owner{
        {QStringLiteral("login"), m_owner},
        {QStringLiteral("id"), 1},
        {QStringLiteral("type"), m_ownerIsOrg ? QStringLiteral("Organization") : QStringLiteral("User")}};
    repo.record.key = QByteArray::number(1000 + repo.index);
    repo.record.json =
        compact(QJsonObject{{QStringLiteral("id"), 1000 + repo.index},
                            {QStringLiteral("node_id"), QStringLiteral("R_%1").arg(repo.index)},
                            {QStringLiteral("name"), name},
                            {QStringLiteral("full_name"), fullName},
                            {QStringLiteral("private"), repo.index % 2 == 0},
                            {QStringLiteral("owner"), owner},
                            {QStringLiteral("html_url"), htmlBase},
                            {QStringLiteral("description"), QStringLiteral("Repository \"%1\"").arg(name)},
                            {QStringLiteral("fork"), false},
                            {QStringLiteral("default_branch"), QStringLiteral("main")},
                            {QStringLiteral("created_at"), isoTime(repo.index * 86400)},
                            {QStringLiteral("updated_at"), isoTime(repo.index * 86400 + 3600)}});

    // Issue numbers 1..issues are plain issues, issues+1..issues+pulls pull requests. updated_at is scrambled
    // so that "recently updated" differs from "recently created".
    const int total = issues + pulls;
    for (int number = 1; number <= total; ++number) {
        const bool isPull = number > issues;
        const qint64 created = 30 * 86400 + qint64(number) * 3600 + repo.index * 60;
        const qint64 updated = created + qint64((number * 37) % 17) * 86400 + repo.index;
        Item issue;
        issue.key = QByteArray::number(base + number);
        issue.cursor = isoTime(updated);
        issue.created = isoTime(created);
        issue.isPull = isPull;
        QJsonObject o{
            {QStringLiteral("id"), base + number},
            {QStringLiteral("number"), number},
            {QStringLiteral("title"), QStringLiteral("%1 #%2 – ünïcode")
                                          .arg(isPull ? QStringLiteral("Change") : QStringLiteral("Bug"))
                                          .arg(number)},
            {QStringLiteral("state"), number % 3 ? QStringLiteral("open") : QStringLiteral("closed")},
            {QStringLiteral("html_url"), QStringLiteral("%1/issues/%2").arg(htmlBase).arg(number)},
            {QStringLiteral("user"), QJsonObject{{QStringLiteral("login"), QStringLiteral("octo")}}},
            {QStringLiteral("labels"), QJsonArray{}},
            {QStringLiteral("created_at"), issue.created},
            {QStringLiteral("updated_at"), issue.cursor},
            {QStringLiteral("closed_at"),
             number % 3 ? QJsonValue(QJsonValue::Null) : QJsonValue(issue.cursor)}};
        if (isPull)
            o.insert(
                QStringLiteral("pull_request"),
                QJsonObject{{QStringLiteral("url"), QStringLiteral("%1/pull/%2").arg(htmlBase).arg(number)}});
        issue.json = compact(o);
        repo.issues.push_back(issue);

        if (isPull) {
            Item pull;
            pull.key = QByteArray::number(base + 50000 + number);
            pull.cursor = issue.cursor;
            pull.created = issue.created;
            pull.json = compact(QJsonObject{
                {QStringLiteral("id"), base + 50000 + number},
                {QStringLiteral("number"), number},
                {QStringLiteral("title"), QStringLiteral("Change #%1").arg(number)},
                {QStringLiteral("state"), number % 3 ? QStringLiteral("open") : QStringLiteral("closed")},
                {QStringLiteral("merged_at"),
                 number % 6 == 0 ? QJsonValue(issue.cursor) : QJsonValue(QJsonValue::Null)},
                {QStringLiteral("head"),
                 QJsonObject{{QStringLiteral("ref"), QStringLiteral("topic-%1").arg(number)}}},
                {QStringLiteral("base"), QJsonObject{{QStringLiteral("ref"), QStringLiteral("main")}}},
                {QStringLiteral("created_at"), pull.created},
                {QStringLiteral("updated_at"), pull.cursor}});
            repo.pulls.push_back(pull);
        }
    }
    for (int n = 1; n <= commits; ++n) {
        Item commit;
        commit.key = QCryptographicHash::hash(fullName.toUtf8() + '#' + QByteArray::number(n),
                                              QCryptographicHash::Sha1)
                         .toHex();
        commit.cursor = isoTime(10 * 86400 + qint64(n) * 5400 + repo.index);
        commit.created = commit.cursor;
        const QJsonObject person{{QStringLiteral("name"), QStringLiteral("Octo Cat")},
                                 {QStringLiteral("email"), QStringLiteral("octo@example.com")},
                                 {QStringLiteral("date"), commit.cursor}};
        commit.json = compact(QJsonObject{
            {QStringLiteral("sha"), QString::fromLatin1(commit.key)},
            {QStringLiteral("commit"),
             QJsonObject{{QStringLiteral("author"), person},
                         {QStringLiteral("committer"), person},
                         {QStringLiteral("message"), QStringLiteral("Change %1\n\nDetails.").arg(n)}}},
            {QStringLiteral("html_url"),
             QStringLiteral("%1/commit/%2").arg(htmlBase, QString::fromLatin1(commit.key))},
            {QStringLiteral("parents"), QJsonArray{}}});
        repo.commits.push_back(commit);
    }
    for (int n = 1; n <= releases; ++n) {
        Item release;
        release.key = QByteArray::number(base + 90000 + n);
        release.created = isoTime(20 * 86400 + qint64(n) * 86400);
        release.cursor = release.created;
        release.json = compact(QJsonObject{{QStringLiteral("id"), base + 90000 + n},
                                           {QStringLiteral("tag_name"), QStringLiteral("v1.%1.0").arg(n)},
                                           {QStringLiteral("name"), QStringLiteral("Release 1.%1").arg(n)},
                                           {QStringLiteral("draft"), false},
                                           {QStringLiteral("prerelease"), n % 4 == 0},
                                           {QStringLiteral("created_at"), release.created},
                                           {QStringLiteral("published_at"), release.created}});
        repo.releases.push_back(release);
    }
    m_repos.push_back(repo);
    std::sort(m_repos.begin(), m_repos.end(), [](const Repo &a, const Repo &b) { return a.name < b.name; });
}

void FakeGitHubServer::setIssuesDisabled(const QString &name, bool disabled)
{
    QMutexLocker lock(&m_mutex);
    for (Repo &repo : m_repos) {
        if (repo.name == name)
            repo.issuesDisabled = disabled;
    }
}

QStringList FakeGitHubServer::repositories() const
{
    QMutexLocker lock(&m_mutex);
    QStringList names;
    for (const Repo &repo : m_repos)
        names.append(m_owner + QLatin1Char('/') + repo.name);
    return names;
}

const std::vector<FakeGitHubServer::Item> *FakeGitHubServer::items(const Repo &repo,
                                                                   const QString &entity) const
{
    if (entity == QLatin1String("issues"))
        return &repo.issues;
    if (entity == QLatin1String("pull_requests"))
        return &repo.pulls;
    if (entity == QLatin1String("commits"))
        return &repo.commits;
    if (entity == QLatin1String("releases"))
        return &repo.releases;
    return nullptr;
}

QStringList FakeGitHubServer::keys(const QString &entity, const QString &repoName, const QString &since) const
{
    QMutexLocker lock(&m_mutex);
    QStringList list;
    for (const Repo &repo : m_repos) {
        if (!repoName.isEmpty() && repoName != repo.name &&
            repoName != m_owner + QLatin1Char('/') + repo.name)
            continue;
        if (entity == QLatin1String("repositories")) {
            list.append(QString::fromLatin1(repo.record.key));
            continue;
        }
        if (entity == QLatin1String("issues") && repo.issuesDisabled)
            continue;
        for (const Item &item : *items(repo, entity)) {
            if (entity == QLatin1String("issues") && item.isPull)
                continue;
            if (!since.isEmpty() && item.cursor < since)
                continue;
            list.append(QString::fromLatin1(item.key));
        }
    }
    return list;
}

QByteArray FakeGitHubServer::recordJson(const QString &entity, const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    for (const Repo &repo : m_repos) {
        if (entity == QLatin1String("repositories")) {
            if (repo.record.key == key.toLatin1())
                return repo.record.json;
            continue;
        }
        for (const Item &item : *items(repo, entity)) {
            if (item.key == key.toLatin1())
                return item.json;
        }
    }
    return {};
}

QString FakeGitHubServer::cursorOf(const QString &entity, const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    for (const Repo &repo : m_repos) {
        if (entity == QLatin1String("repositories"))
            continue;
        for (const Item &item : *items(repo, entity)) {
            if (item.key == key.toLatin1())
                return item.cursor;
        }
    }
    return {};
}

void FakeGitHubServer::setPrimaryRateLimit(int requestsLeft, int resetSeconds, int status)
{
    QMutexLocker lock(&m_mutex);
    m_primaryLeft = requestsLeft;
    m_primaryResetSeconds = resetSeconds;
    m_primaryResetEpoch = 0;
    m_primaryStatus = status;
}

void FakeGitHubServer::secondaryRateLimitFor(int ms, int status)
{
    QMutexLocker lock(&m_mutex);
    m_secondaryUntil = m_clock.elapsed() + ms;
    m_secondaryStatus = status;
}

int FakeGitHubServer::rateLimitedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_rateLimited;
}

void FakeGitHubServer::setMalformedPage(const QString &entity, const QString &repo, int page, Malformed kind)
{
    QMutexLocker lock(&m_mutex);
    m_malformedEntity = entity;
    m_malformedRepo = repo;
    m_malformedPage = page;
    m_malformedKind = kind;
}

void FakeGitHubServer::clearMalformed()
{
    QMutexLocker lock(&m_mutex);
    m_malformedPage = -1;
}

const FakeGitHubServer::Repo *FakeGitHubServer::findRepo(const QString &owner, const QString &name) const
{
    if (owner != m_owner)
        return nullptr;
    for (const Repo &repo : m_repos) {
        if (repo.name == name)
            return &repo;
    }
    return nullptr;
}

QByteArray FakeGitHubServer::ownerJson(bool full) const
{
    QJsonObject o{
        {QStringLiteral("login"), m_owner},
        {QStringLiteral("id"), 1},
        {QStringLiteral("type"), m_ownerIsOrg ? QStringLiteral("Organization") : QStringLiteral("User")}};
    if (full) {
        o.insert(QStringLiteral("name"), QStringLiteral("Mako test owner"));
        o.insert(QStringLiteral("public_repos"), int(m_repos.size()));
    }
    return compact(o);
}

void FakeGitHubServer::addRateHeaders(FakeResponse &response, int remaining) const
{
    const qint64 reset =
        m_primaryResetEpoch > 0 ? m_primaryResetEpoch : QDateTime::currentSecsSinceEpoch() + 3600;
    response.headers.append(QPair<QByteArray, QByteArray>("X-RateLimit-Limit", "5000"));
    response.headers.append(
        QPair<QByteArray, QByteArray>("X-RateLimit-Remaining", QByteArray::number(remaining)));
    response.headers.append(QPair<QByteArray, QByteArray>("X-RateLimit-Reset", QByteArray::number(reset)));
    response.headers.append(QPair<QByteArray, QByteArray>("X-RateLimit-Used", QByteArray::number(m_used)));
    response.headers.append(QPair<QByteArray, QByteArray>("X-RateLimit-Resource", "core"));
}

FakeResponse FakeGitHubServer::page(const FakeRequest &request, const QString &path, const QString &entity,
                                    const QString &repo, std::vector<const Item *> list, int defaultPerPage)
{
    bool ok = true;
    const int perPage = request.query.hasQueryItem(QStringLiteral("per_page"))
                            ? request.query.queryItemValue(QStringLiteral("per_page")).toInt(&ok)
                            : defaultPerPage;
    bool okPage = true;
    const int pageNumber = request.query.hasQueryItem(QStringLiteral("page"))
                               ? request.query.queryItemValue(QStringLiteral("page")).toInt(&okPage)
                               : 1;
    if (!ok || !okPage || perPage < 1 || pageNumber < 1)
        return githubError(422, QStringLiteral("Validation Failed"),
                           QStringLiteral("https://docs.github.com/rest"));
    const int effective = qMin(perPage, 100);
    const int last = qMax(1, int((list.size() + effective - 1) / effective));
    const qsizetype from = qsizetype(pageNumber - 1) * effective;
    const qsizetype to = qMin<qsizetype>(qsizetype(list.size()), from + effective);

    QByteArray body = "[";
    for (qsizetype i = from; i < to; ++i) {
        if (i > from)
            body += ',';
        body += list[size_t(i)]->json;
    }
    body += ']';
    const bool malformed =
        m_malformedPage == pageNumber && m_malformedEntity == entity && m_malformedRepo == repo;
    if (malformed) {
        switch (m_malformedKind) {
        case Malformed::Truncated:
            body.truncate(body.size() / 2);
            break;
        case Malformed::NotAnArray:
            body = "{\"message\": \"Server Error\"}";
            break;
        case Malformed::RecordWithoutKey:
            body = "[{\"title\": \"no key\"}" + (to > from ? "," + body.mid(1) : QByteArray("]"));
            break;
        }
    }
    FakeResponse response = FakeResponse::json(200, body);

    // Link: the same query with another page, on this server's address.
    const auto linkTo = [&](int number) {
        QUrlQuery query;
        const auto items = request.query.queryItems(QUrl::FullyDecoded);
        for (const auto &item : items) {
            if (item.first != QLatin1String("page"))
                query.addQueryItem(item.first,
                                   QString(item.second).replace(QLatin1Char('+'), QLatin1String("%2B")));
        }
        query.addQueryItem(QStringLiteral("page"), QString::number(number));
        QUrl url = baseUrl();
        url.setPath(path);
        url.setQuery(query);
        return "<" + url.toEncoded() + ">";
    };
    QList<QByteArray> links;
    if (pageNumber < last) {
        links.append(linkTo(pageNumber + 1) + "; rel=\"next\"");
        links.append(linkTo(last) + "; rel=\"last\"");
    }
    if (pageNumber > 1) {
        links.append(linkTo(1) + "; rel=\"first\"");
        links.append(linkTo(pageNumber - 1) + "; rel=\"prev\"");
    }
    if (!links.isEmpty())
        response.headers.append(QPair<QByteArray, QByteArray>("Link", links.join(", ")));
    return response;
}

FakeResponse FakeGitHubServer::handle(const FakeRequest &request)
{
    QMutexLocker lock(&m_mutex);
    ++m_used;
    if (request.headers.value("user-agent").isEmpty())
        return githubError(
            403,
            QStringLiteral("Request forbidden by administrative rules. Please make sure your request "
                           "has a User-Agent header (https://docs.github.com/en/rest/overview/"
                           "resources-in-the-rest-api#user-agent-required). Check "
                           "https://developer.github.com for other possible causes."),
            QStringLiteral("https://docs.github.com/rest"));

    const QByteArray authorization = request.headers.value("authorization");
    QByteArray token;
    if (authorization.startsWith("Bearer ") || authorization.startsWith("token "))
        token = authorization.mid(authorization.indexOf(' ') + 1).trimmed();
    if (token.isEmpty())
        return githubError(401, QStringLiteral("Requires authentication"),
                           QStringLiteral("https://docs.github.com/rest"));
    if (token != m_token) {
        FakeResponse bad = githubError(401, QStringLiteral("Bad credentials"),
                                       QStringLiteral("https://docs.github.com/rest"));
        addRateHeaders(bad, 59);
        return bad;
    }

    // Secondary limit: Retry-After, whatever the primary budget says.
    if (m_secondaryUntil > m_clock.elapsed()) {
        ++m_rateLimited;
        const int seconds = int(std::ceil((m_secondaryUntil - m_clock.elapsed()) / 1000.0));
        FakeResponse limited = githubError(
            m_secondaryStatus,
            QStringLiteral(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                "again. If you reach out to GitHub Support for help, please include the request ID "
                "ABCD:1234:5678."),
            QStringLiteral("https://docs.github.com/free-pro-team@latest/rest/overview/"
                           "rate-limits-for-the-rest-api#about-secondary-rate-limits"));
        limited.headers.append(QPair<QByteArray, QByteArray>("Retry-After", QByteArray::number(seconds)));
        addRateHeaders(limited, 4000);
        return limited;
    }
    // Primary limit: once spent, every request fails until the reset time.
    int remaining = 4999;
    if (m_primaryLeft >= 0) {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        if (m_primaryResetEpoch > 0 && now >= m_primaryResetEpoch) {
            m_primaryLeft = -1; // a new window
            m_primaryResetEpoch = 0;
        } else if (m_primaryLeft == 0) {
            if (m_primaryResetEpoch == 0)
                m_primaryResetEpoch = now + m_primaryResetSeconds;
            ++m_rateLimited;
            FakeResponse limited = githubError(
                m_primaryStatus,
                QStringLiteral(
                    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
                    "please include the request ID ABCD:1234:5678."),
                QStringLiteral("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"));
            addRateHeaders(limited, 0);
            return limited;
        } else {
            --m_primaryLeft;
            remaining = m_primaryLeft;
        }
    }

    FakeResponse response = [&]() -> FakeResponse {
        const QString notFoundDoc = QStringLiteral("https://docs.github.com/rest");
        if (request.method != "GET")
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
        if (!request.path.startsWith(m_prefix + QLatin1Char('/')))
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
        const QStringList parts =
            request.path.mid(m_prefix.size()).split(QLatin1Char('/'), Qt::SkipEmptyParts);
        // /orgs/{org}, /users/{user}, /orgs/{org}/repos, /users/{user}/repos
        if (parts.size() >= 2 && (parts[0] == QLatin1String("orgs") || parts[0] == QLatin1String("users"))) {
            const bool orgPath = parts[0] == QLatin1String("orgs");
            if (parts[1] != m_owner || (orgPath && !m_ownerIsOrg))
                return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
            if (parts.size() == 2)
                return FakeResponse::json(200, ownerJson(true));
            if (parts.size() == 3 && parts[2] == QLatin1String("repos")) {
                std::vector<const Item *> list;
                for (const Repo &repo : m_repos)
                    list.push_back(&repo.record);
                return page(request, request.path, QStringLiteral("repositories"), QString(), list);
            }
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
        }
        if (parts.size() < 3 || parts[0] != QLatin1String("repos"))
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
        const Repo *repo = findRepo(parts[1], parts[2]);
        if (!repo)
            return githubError(404, QStringLiteral("Not Found"),
                               QStringLiteral("https://docs.github.com/rest/repos/repos#get-a-repository"));
        if (parts.size() == 3)
            return FakeResponse::json(200, repo->record.json);
        if (parts.size() != 4)
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);

        const QString &what = parts[3];
        const QString sort = request.query.queryItemValue(QStringLiteral("sort"));
        const bool ascending =
            request.query.queryItemValue(QStringLiteral("direction")) == QLatin1String("asc");
        const QString since = request.query.queryItemValue(QStringLiteral("since"));
        const QString state = request.query.queryItemValue(QStringLiteral("state"));
        std::vector<const Item *> list;
        QString entity;
        if (what == QLatin1String("issues") || what == QLatin1String("pulls")) {
            const bool issues = what == QLatin1String("issues");
            if (issues && repo->issuesDisabled)
                return githubError(410, QStringLiteral("Issues are disabled for this repo"),
                                   QStringLiteral("https://docs.github.com/v3/issues/"));
            entity = issues ? QStringLiteral("issues") : QStringLiteral("pull_requests");
            const std::vector<Item> &source = issues ? repo->issues : repo->pulls;
            for (const Item &item : source) {
                // Without state=all GitHub lists open ones only.
                const bool open = !QJsonDocument::fromJson(item.json)
                                       .object()
                                       .value(QStringLiteral("state"))
                                       .toString()
                                       .startsWith(QLatin1String("closed"));
                if (state != QLatin1String("all") && state != QLatin1String("closed") && !open)
                    continue;
                if (state == QLatin1String("closed") && open)
                    continue;
                if (issues && !since.isEmpty() && item.cursor < since)
                    continue;
                list.push_back(&item);
            }
            const bool byUpdated = sort == QLatin1String("updated");
            // Default: newest created first.
            std::stable_sort(list.begin(), list.end(), [&](const Item *a, const Item *b) {
                const QString &ka = byUpdated ? a->cursor : a->created;
                const QString &kb = byUpdated ? b->cursor : b->created;
                return ascending ? ka < kb : ka > kb;
            });
        } else if (what == QLatin1String("commits")) {
            if (repo->empty)
                return githubError(
                    409, QStringLiteral("Git Repository is empty."),
                    QStringLiteral("https://docs.github.com/rest/commits/commits#list-commits"));
            entity = QStringLiteral("commits");
            for (const Item &item : repo->commits) {
                if (!since.isEmpty() && item.cursor < since)
                    continue;
                list.push_back(&item);
            }
            std::stable_sort(list.begin(), list.end(),
                             [](const Item *a, const Item *b) { return a->cursor > b->cursor; });
        } else if (what == QLatin1String("releases")) {
            entity = QStringLiteral("releases");
            for (const Item &item : repo->releases)
                list.push_back(&item);
            std::stable_sort(list.begin(), list.end(),
                             [](const Item *a, const Item *b) { return a->created > b->created; });
        } else {
            return githubError(404, QStringLiteral("Not Found"), notFoundDoc);
        }
        return page(request, request.path, entity, repo->name, list);
    }();
    addRateHeaders(response, remaining);
    return response;
}
