#include "githubconnector.h"

#include "jsonscan.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrlQuery>

namespace {

const char kDefaultBaseUrl[] = "https://api.github.com";

enum class Kind { Repositories, Issues, PullRequests, Commits, Releases };

struct GitHubEntity
{
    const char *name;
    const char *label;
    Kind kind;
    const char *primaryKey;
    IncrementalMode incremental;
    const char *cursorField;
    const char *description;
};

const GitHubEntity kEntities[] = {
    {"repositories", "Repositories", Kind::Repositories, "id", IncrementalMode::None, "",
     "The organisation's (or user's) repositories, or the configured ones."},
    {"issues", "Issues", Kind::Issues, "id", IncrementalMode::Native, "updated_at",
     "Open and closed issues of every repository (pull requests are under pull_requests)."},
    {"pull_requests", "Pull requests", Kind::PullRequests, "id", IncrementalMode::ClientFilter, "updated_at",
     "Open, closed and merged pull requests of every repository."},
    {"commits", "Commits", Kind::Commits, "sha", IncrementalMode::CreatedOnly, "commit.committer.date",
     "Commits of each repository's default branch."},
    {"releases", "Releases", Kind::Releases, "id", IncrementalMode::None, "",
     "Published and draft releases of every repository."},
};

const GitHubEntity *findEntity(const QString &name)
{
    for (const GitHubEntity &entity : kEntities) {
        if (name == QLatin1String(entity.name))
            return &entity;
    }
    return nullptr;
}

// GitHub errors are {"message": "...", "documentation_url": "..."}, sometimes with "errors".
QString githubErrorMessage(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    return object.value(QStringLiteral("message")).toString();
}

int compareTimestamps(const QString &a, const QString &b)
{
    const QDateTime da = QDateTime::fromString(a, Qt::ISODateWithMs);
    const QDateTime db = QDateTime::fromString(b, Qt::ISODateWithMs);
    if (da.isValid() && db.isValid() && da != db)
        return da < db ? -1 : 1;
    return a.compare(b);
}

[[noreturn]] void throwMalformed(const HttpResponse &response, const QString &what)
{
    throw ConnectorError(QStringLiteral("Unexpected response from %1: %2").arg(response.url.toString(), what),
                         ConnectorError::Kind::Malformed);
}

const QRegularExpression &repositoryPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"));
    return pattern;
}

void raiseHighWater(FetchState &state, const QString &value)
{
    if (value.isEmpty())
        return;
    if (state.highWater.toString().isEmpty() || compareTimestamps(value, state.highWater.toString()) > 0)
        state.highWater = value;
}

} // namespace

ConnectorMetadata GitHubConnector::staticMetadata()
{
    ConnectorMetadata meta;
    meta.id = QStringLiteral("github");
    meta.name = QStringLiteral("GitHub");
    meta.version = QStringLiteral("1.0.0");
    meta.description =
        QStringLiteral("Repositories, issues, pull requests, commits and releases from GitHub or "
                       "GitHub Enterprise Server.");
    meta.iconPath = QStringLiteral(":/connectors/github/icon.svg");
    meta.documentationUrl = QStringLiteral("https://docs.github.com/rest");
    for (const GitHubEntity &e : kEntities) {
        EntityInfo info;
        info.name = QLatin1String(e.name);
        info.label = QLatin1String(e.label);
        info.primaryKey = QLatin1String(e.primaryKey);
        info.incremental = e.incremental;
        info.cursorField = QLatin1String(e.cursorField);
        info.description = QLatin1String(e.description);
        // GitHub's times are ISO-8601 UTC strings, null until they happen (closed_at, merged_at).
        for (const char *field : {"created_at", "updated_at", "closed_at", "merged_at", "pushed_at"})
            info.schema.declared.insert(QLatin1String(field), FieldType::Timestamp);
        meta.entities.append(info);
    }

    ConfigField token;
    token.name = QStringLiteral("access_token");
    token.label = QStringLiteral("Access token");
    token.type = ConfigField::Type::Secret;
    token.required = true;
    token.placeholder = QStringLiteral("github_pat_... or ghp_...");
    token.help =
        QStringLiteral("A fine-grained or classic personal access token (or an app installation token) "
                       "with read access to the repositories' contents, issues, pull requests and "
                       "metadata.");
    meta.config.append(token);

    ConfigField organization;
    organization.name = QStringLiteral("organization");
    organization.label = QStringLiteral("Organisation or user");
    organization.placeholder = QStringLiteral("my-org");
    organization.help =
        QStringLiteral("Sync every repository of this organisation (or user). Leave empty when "
                       "you list repositories below.");
    meta.config.append(organization);

    ConfigField repositories;
    repositories.name = QStringLiteral("repositories");
    repositories.label = QStringLiteral("Repositories");
    repositories.type = ConfigField::Type::List;
    repositories.placeholder = QStringLiteral("owner/repo");
    repositories.help = QStringLiteral("Only these repositories, as owner/repo. Takes precedence over the "
                                       "organisation.");
    meta.config.append(repositories);

    ConfigSpec common = commonHttpConfigFields(QString::fromLatin1(kDefaultBaseUrl), 100);
    for (ConfigField &field : common) {
        if (field.name == QLatin1String("base_url"))
            field.help = QStringLiteral("For GitHub Enterprise Server use https://<host>/api/v3.");
    }
    meta.config.append(common);
    return meta;
}

QStringList GitHubConnector::configuredRepositories() const
{
    QStringList names;
    const QJsonValue value = config().value(QStringLiteral("repositories"));
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array)
            names.append(item.toString().trimmed());
    } else if (value.isString()) {
        static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
        names = value.toString().split(separators);
    }
    names.removeAll(QString());
    return names;
}

QStringList GitHubConnector::validateConfig() const
{
    QStringList problems = BaseConnector::validateConfig();
    const QStringList repos = configuredRepositories();
    if (repos.isEmpty() && configString(QStringLiteral("organization")).trimmed().isEmpty())
        problems.append(QStringLiteral("organization: required unless repositories are listed"));
    for (const QString &repo : repos) {
        if (!repositoryPattern().match(repo).hasMatch())
            problems.append(QStringLiteral("repositories: \"%1\" is not of the form owner/repo").arg(repo));
    }
    return problems;
}

void GitHubConnector::prepare()
{
    if (m_prepared)
        return;
    m_prepared = true;
    const QString token = configString(QStringLiteral("access_token")).trimmed();
    http().addSecret(token);
    http().setDefaultHeaders({{"Authorization", "Bearer " + token.toUtf8()},
                              {"Accept", "application/vnd.github+json"},
                              {"X-GitHub-Api-Version", "2022-11-28"},
                              {"User-Agent", "MakoConnect/" MC_VERSION}});
}

QUrl GitHubConnector::apiUrl(const QString &path, const QList<QPair<QString, QString>> &query) const
{
    QUrl url = baseUrl();
    url.setPath(url.path() + path);
    if (!query.isEmpty()) {
        QUrlQuery q;
        for (const auto &item : query) {
            // '+' (a timestamp offset) must arrive as %2B, not be form-decoded into a space.
            q.addQueryItem(item.first, QString(item.second).replace(QLatin1Char('+'), QLatin1String("%2B")));
        }
        url.setQuery(q);
    }
    return url;
}

QUrl GitHubConnector::nextLink(const HttpResponse &response) const
{
    return parseNextLink(response.header("link"), baseUrl());
}

QUrl GitHubConnector::parseNextLink(const QByteArray &linkHeader, const QUrl &base)
{
    // Link: <https://api.github.com/repositories/1/issues?page=2>; rel="next", <...>; rel="last"
    const QString header = QString::fromLatin1(linkHeader);
    static const QRegularExpression part(QStringLiteral("<([^>]*)>\\s*;([^,]*)"));
    auto it = part.globalMatch(header);
    while (it.hasNext()) {
        const auto match = it.next();
        static const QRegularExpression rel(QStringLiteral("rel\\s*=\\s*\"?([^\";]*)"));
        const QStringList rels = rel.match(match.captured(2)).captured(1).split(QLatin1Char(' '));
        if (!rels.contains(QLatin1String("next")))
            continue;
        QUrl next(match.captured(1));
        if (!next.isValid())
            return {};
        // The token is only ever sent to the configured host: a link elsewhere is followed there.
        if (next.isRelative() || next.host() != base.host() || next.port(-1) != base.port(-1) ||
            next.scheme() != base.scheme()) {
            next.setScheme(base.scheme());
            next.setHost(base.host());
            next.setPort(base.port(-1));
        }
        return next;
    }
    return {};
}

void GitHubConnector::throwIfFailed(const HttpResponse &response, const QString &context)
{
    if (response.ok())
        return;
    if (response.status == 0)
        throw ConnectorError(http().failureMessage(response), ConnectorError::Kind::Network);
    const QString api = githubErrorMessage(response.body);
    const QString failure = http().failureMessage(response, api);
    const QString prefix = context.isEmpty() ? QString() : context + QStringLiteral(": ");
    if (response.status == 401)
        throw ConnectorError(QStringLiteral("Invalid GitHub token: %1").arg(failure),
                             ConnectorError::Kind::Auth);
    if (response.status == 429 ||
        (response.status == 403 &&
         (response.header("x-ratelimit-remaining") == "0" || !response.header("retry-after").isEmpty())))
        throw ConnectorError(QStringLiteral("GitHub rate limit still exceeded: %1").arg(failure),
                             ConnectorError::Kind::RateLimit);
    if (response.status == 403)
        throw ConnectorError(prefix + QStringLiteral("Permission denied: %1").arg(failure),
                             ConnectorError::Kind::Auth);
    if (response.status == 404)
        throw ConnectorError(prefix +
                                 QStringLiteral("Not found, or not visible to this token: %1").arg(failure),
                             ConnectorError::Kind::Config);
    throw ConnectorError(prefix + failure, ConnectorError::Kind::Api);
}

HttpResponse GitHubConnector::ownerReposPage(FetchState &state, const QUrl &cursor, int perPage)
{
    if (!cursor.isEmpty())
        return http().get(cursor);
    const QString owner = configString(QStringLiteral("organization")).trimmed();
    const QList<QPair<QString, QString>> query{{QStringLiteral("per_page"), QString::number(perPage)},
                                               {QStringLiteral("sort"), QStringLiteral("full_name")}};
    QString kind = state.metadata.value(QStringLiteral("ownerKind")).toString();
    HttpResponse response;
    if (kind != QLatin1String("user")) {
        auto orgQuery = query;
        orgQuery.append({QStringLiteral("type"), QStringLiteral("all")});
        response = http().get(apiUrl(QStringLiteral("/orgs/%1/repos").arg(owner), orgQuery));
        if (response.status != 404) {
            state.metadata.insert(QStringLiteral("ownerKind"), QStringLiteral("org"));
            return response;
        }
    }
    // Not an organisation: the user's own repositories.
    auto userQuery = query;
    userQuery.append({QStringLiteral("type"), QStringLiteral("owner")});
    response = http().get(apiUrl(QStringLiteral("/users/%1/repos").arg(owner), userQuery));
    if (response.ok())
        state.metadata.insert(QStringLiteral("ownerKind"), QStringLiteral("user"));
    return response;
}

QStringList GitHubConnector::resolveRepositories(FetchState &state, int &iterations)
{
    const QJsonValue known = state.metadata.value(QStringLiteral("repos"));
    if (known.isArray())
        return known.toVariant().toStringList();

    QStringList repos = configuredRepositories();
    if (repos.isEmpty()) {
        // Listed in full before the first page of records; each listing call counts as an iteration.
        QUrl cursor;
        while (true) {
            throwIfCancelled();
            const HttpResponse response = ownerReposPage(state, cursor, 100);
            ++iterations;
            throwIfFailed(response, QStringLiteral("Listing the repositories of %1")
                                        .arg(configString(QStringLiteral("organization"))));
            JsonScan::Result scan;
            const QList<QByteArrayView> items = JsonScan::elements(response.body, &scan);
            if (!scan.ok)
                throwMalformed(response,
                               QStringLiteral("expected an array of repositories (%1)").arg(scan.error));
            for (const QByteArrayView item : items) {
                const QString name = JsonScan::toValue(JsonScan::member(item, "full_name")).toString();
                if (name.isEmpty())
                    throwMalformed(response, QStringLiteral("a repository has no \"full_name\""));
                repos.append(name);
            }
            cursor = nextLink(response);
            if (cursor.isEmpty())
                break;
        }
    }
    state.metadata.insert(QStringLiteral("repos"), QJsonArray::fromStringList(repos));
    state.metadata.insert(QStringLiteral("repoIndex"), 0);
    return repos;
}

TestResult GitHubConnector::testConnection()
{
    return failuresAsResult([&] {
        TestResult result;
        prepare();
        const QStringList repos = configuredRepositories();
        HttpResponse response;
        if (!repos.isEmpty()) {
            response = http().get(apiUrl(QStringLiteral("/repos/") + repos.first()));
            throwIfFailed(response, QStringLiteral("Repository %1").arg(repos.first()));
            const QJsonObject repo = QJsonDocument::fromJson(response.body).object();
            if (!repo.contains(QStringLiteral("full_name")))
                throwMalformed(response, QStringLiteral("expected a repository object"));
            result.message = QStringLiteral("Connected to GitHub: %1")
                                 .arg(repo.value(QStringLiteral("full_name")).toString());
            if (repos.size() > 1)
                result.message += QStringLiteral(" and %1 more repositories").arg(repos.size() - 1);
        } else {
            const QString owner = configString(QStringLiteral("organization")).trimmed();
            response = http().get(apiUrl(QStringLiteral("/orgs/") + owner));
            QString what = QStringLiteral("organisation");
            if (response.status == 404) {
                response = http().get(apiUrl(QStringLiteral("/users/") + owner));
                what = QStringLiteral("user");
            }
            throwIfFailed(response, QStringLiteral("Organisation or user %1").arg(owner));
            const QJsonObject object = QJsonDocument::fromJson(response.body).object();
            if (!object.contains(QStringLiteral("login")))
                throwMalformed(response, QStringLiteral("expected an organisation or user object"));
            result.message = QStringLiteral("Connected to GitHub %1 %2")
                                 .arg(what, object.value(QStringLiteral("login")).toString());
        }
        result.success = true;
        const QByteArray remaining = response.header("x-ratelimit-remaining");
        if (!remaining.isEmpty())
            result.details = QStringLiteral("%1 API requests left in this rate-limit window")
                                 .arg(QString::fromLatin1(remaining));
        return result;
    });
}

FetchState GitHubConnector::fetchEntityChunk(const ResumableFetchOptions &options)
{
    const GitHubEntity *spec = findEntity(options.entity);
    if (!spec)
        throw ConnectorError(QStringLiteral("GitHub has no entity \"%1\"").arg(options.entity),
                             ConnectorError::Kind::Config);
    prepare();
    FetchState state = options.state;
    state.iterationsInChunk = 0;
    const int perPage = qBound(1, options.batchSize, 100);
    if (spec->kind == Kind::Repositories)
        return fetchRepositories(options, std::move(state), perPage);
    return fetchPerRepository(options, std::move(state), perPage);
}

FetchState GitHubConnector::fetchRepositories(const ResumableFetchOptions &options, FetchState state,
                                              int perPage)
{
    const QStringList configured = configuredRepositories();
    const int maxIterations = qMax(1, options.maxIterations);
    while (state.hasMore && state.iterationsInChunk < maxIterations) {
        throwIfCancelled();
        RecordBatch batch;
        if (!configured.isEmpty()) {
            // One call per configured repository; `page` is the index of the next one.
            if (state.page >= configured.size()) {
                state.hasMore = false;
                break;
            }
            const QString name = configured.at(state.page);
            const HttpResponse response = http().get(apiUrl(QStringLiteral("/repos/") + name));
            ++state.iterationsInChunk;
            throwIfFailed(response, QStringLiteral("Repository %1").arg(name));
            JsonScan::Result scan;
            const QByteArray key = JsonScan::keyText(JsonScan::member(response.body, "id", &scan));
            if (!scan.ok || key.isEmpty())
                throwMalformed(response, QStringLiteral("expected a repository object with an \"id\""));
            batch.append(Record{key, response.body.trimmed()});
            ++state.page;
            state.hasMore = state.page < configured.size();
        } else {
            const HttpResponse response = ownerReposPage(state, QUrl(state.cursor), perPage);
            ++state.iterationsInChunk;
            throwIfFailed(response, QStringLiteral("Listing the repositories of %1")
                                        .arg(configString(QStringLiteral("organization"))));
            JsonScan::Result scan;
            const QList<QByteArrayView> items = JsonScan::elements(response.body, &scan);
            if (!scan.ok)
                throwMalformed(response,
                               QStringLiteral("expected an array of repositories (%1)").arg(scan.error));
            for (qsizetype i = 0; i < items.size(); ++i) {
                const QByteArray key = JsonScan::keyText(JsonScan::member(items.at(i), "id", &scan));
                if (!scan.ok || key.isEmpty())
                    throwMalformed(response, QStringLiteral("repository %1 has no \"id\"").arg(i));
                batch.append(Record{key, items.at(i).toByteArray()});
            }
            const QUrl next = nextLink(response);
            state.cursor = next.isEmpty() ? QString() : next.toString(QUrl::FullyEncoded);
            ++state.page;
            state.hasMore = !next.isEmpty();
        }
        state.totalProcessed += batch.size();
        if (options.onBatch && !batch.isEmpty())
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, configured.isEmpty() ? -1 : configured.size());
    }
    return state;
}

FetchState GitHubConnector::fetchPerRepository(const ResumableFetchOptions &options, FetchState state,
                                               int perPage)
{
    const GitHubEntity *spec = findEntity(options.entity);
    const int maxIterations = qMax(1, options.maxIterations);
    const QString since = spec->incremental != IncrementalMode::None && options.since.isString()
                              ? options.since.toString()
                              : QString();
    const QByteArray cursorField(spec->cursorField);

    const QStringList repos = resolveRepositories(state, state.iterationsInChunk);
    while (state.hasMore && state.iterationsInChunk < maxIterations) {
        throwIfCancelled();
        const int index = state.metadata.value(QStringLiteral("repoIndex")).toInt();
        if (index >= repos.size()) {
            state.hasMore = false;
            break;
        }
        const QString repo = repos.at(index);
        QUrl url(state.cursor);
        if (state.cursor.isEmpty()) {
            QList<QPair<QString, QString>> query{{QStringLiteral("per_page"), QString::number(perPage)}};
            QString path;
            switch (spec->kind) {
            case Kind::Issues:
                path = QStringLiteral("/repos/%1/issues").arg(repo);
                // Newest first: a record updated mid-sync moves to pages already read (caught by the next
                // run, as it is newer than this run's high-water mark) instead of shifting one not yet read.
                query.append({{QStringLiteral("state"), QStringLiteral("all")},
                              {QStringLiteral("sort"), QStringLiteral("updated")},
                              {QStringLiteral("direction"), QStringLiteral("desc")}});
                if (!since.isEmpty())
                    query.append({QStringLiteral("since"), since});
                break;
            case Kind::PullRequests:
                path = QStringLiteral("/repos/%1/pulls").arg(repo);
                query.append({{QStringLiteral("state"), QStringLiteral("all")},
                              {QStringLiteral("sort"), QStringLiteral("updated")},
                              {QStringLiteral("direction"), QStringLiteral("desc")}});
                break;
            case Kind::Commits:
                path = QStringLiteral("/repos/%1/commits").arg(repo);
                if (!since.isEmpty())
                    query.append({QStringLiteral("since"), since});
                break;
            case Kind::Releases:
                path = QStringLiteral("/repos/%1/releases").arg(repo);
                break;
            case Kind::Repositories:
                break;
            }
            url = apiUrl(path, query);
        }

        const HttpResponse response = http().get(url);
        ++state.iterationsInChunk;
        ++state.page;
        bool repoDone = false;
        RecordBatch batch;
        if ((spec->kind == Kind::Commits && response.status == 409) ||
            (spec->kind == Kind::Issues && response.status == 410)) {
            // An empty repository has no commits (409); issues can be switched off (410).
            if (options.onLog)
                options.onLog(
                    LogLevel::Info,
                    QStringLiteral("%1: skipped (%2)").arg(repo, githubErrorMessage(response.body)));
            repoDone = true;
        } else {
            throwIfFailed(response, QStringLiteral("Repository %1").arg(repo));
            JsonScan::Result scan;
            const QList<QByteArrayView> items = JsonScan::elements(response.body, &scan);
            if (!scan.ok)
                throwMalformed(
                    response, QStringLiteral("expected an array of %1 (%2)").arg(options.entity, scan.error));
            const QByteArray keyField(spec->primaryKey);
            for (qsizetype i = 0; i < items.size(); ++i) {
                const QByteArrayView item = items.at(i);
                const QByteArray key = JsonScan::keyText(JsonScan::member(item, keyField, &scan));
                if (!scan.ok || key.isEmpty())
                    throwMalformed(
                        response,
                        QStringLiteral("record %1 has no \"%2\"").arg(i).arg(QLatin1String(keyField)));
                const QString cursorValue =
                    cursorField.isEmpty() ? QString()
                                          : JsonScan::toValue(JsonScan::member(item, cursorField)).toString();
                raiseHighWater(state, cursorValue);
                if (spec->kind == Kind::PullRequests && !since.isEmpty() && !cursorValue.isEmpty() &&
                    compareTimestamps(cursorValue, since) < 0) {
                    // Sorted newest first: everything from here on is older than the last sync.
                    repoDone = true;
                    break;
                }
                // GitHub's issues endpoint returns pull requests too; they belong to pull_requests.
                if (spec->kind == Kind::Issues && !JsonScan::member(item, "pull_request").isEmpty())
                    continue;
                batch.append(Record{key, item.toByteArray()});
            }
            const QUrl next = nextLink(response);
            if (next.isEmpty())
                repoDone = true;
            else if (!repoDone)
                state.cursor = next.toString(QUrl::FullyEncoded);
        }
        if (repoDone) {
            state.cursor.clear();
            state.metadata.insert(QStringLiteral("repoIndex"), index + 1);
            state.hasMore = index + 1 < repos.size();
        }
        state.totalProcessed += batch.size();
        if (options.onBatch && !batch.isEmpty())
            options.onBatch(std::move(batch));
        if (options.onProgress)
            options.onProgress(state.totalProcessed, -1);
    }
    if (repos.isEmpty())
        state.hasMore = false;
    return state;
}
