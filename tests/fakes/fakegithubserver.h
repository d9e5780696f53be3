// A fake of GitHub's REST API (the read side a connector uses): an organisation (or user) with repositories
// and their issues (pull requests included, as GitHub lists them), pull requests, commits and releases;
// page/per_page paging with Link headers; sort/direction/since/state; Bearer token auth; the X-RateLimit-*
// headers on every answer, the primary limit (403 or 429 with X-RateLimit-Remaining: 0 until
// X-RateLimit-Reset) and secondary limits (403 or 429 with Retry-After); GitHub's error bodies. An optional
// path prefix ("/api/v3") makes it answer like GitHub Enterprise Server.
//
// Every public method is thread-safe: tests call them on their own thread while the server thread serves.
#pragma once

#include "fakehttpserver.h"

#include <QElapsedTimer>
#include <QStringList>

#include <vector>

class FakeGitHubServer : public FakeHttpServer
{
public:
    enum class Malformed {
        Truncated,        // 200 with the body cut in half
        NotAnArray,       // 200 with an object where the list belongs
        RecordWithoutKey, // 200 whose first record lacks its id (sha for commits)
    };

    FakeGitHubServer();
    ~FakeGitHubServer() override;

    void setToken(const QString &token);       // default "ghp_test_mako"
    void setPathPrefix(const QString &prefix); // "" for api.github.com, "/api/v3" for Enterprise
    // The owner of every repository: an organisation (default "mako-org") or a user.
    void setOwner(const QString &login, bool organization);
    // Adds a repository with `issues` plain issues, `pulls` pull requests (also listed by the issues
    // endpoint, with a "pull_request" member), `commits` commits on its default branch (0: an empty
    // repository, whose commit list answers 409) and `releases` releases.
    void addRepository(const QString &name, int issues, int pulls, int commits, int releases);
    void clearRepositories();
    void setIssuesDisabled(const QString &name, bool disabled); // the issues list answers 410
    QStringList repositories() const;                           // full names, as the owner listing sorts them

    // Keys of an entity's records (repositories, issues without pull requests, pull_requests, commits,
    // releases), across all repositories or of one; `since` keeps those whose cursor (updated_at, or the
    // committer date of commits) is at or after it.
    QStringList keys(const QString &entity, const QString &repo = {}, const QString &since = {}) const;
    QByteArray recordJson(const QString &entity, const QString &key) const;
    QString cursorOf(const QString &entity, const QString &key) const;

    // After `requestsLeft` more requests the primary limit is spent: answers are `status` (403 or 429) with
    // X-RateLimit-Remaining: 0 until X-RateLimit-Reset, `resetSeconds` after it ran out.
    void setPrimaryRateLimit(int requestsLeft, int resetSeconds, int status = 403);
    // Every request answers `status` with Retry-After for the next `ms` milliseconds.
    void secondaryRateLimitFor(int ms, int status = 403);
    int rateLimitedCount() const;
    // The given page (1-based) of an entity's list for a repository ("" for the owner's repository listing)
    // answers 200 with a broken body.
    void setMalformedPage(const QString &entity, const QString &repo, int page, Malformed kind);
    void clearMalformed();

protected:
    FakeResponse handle(const FakeRequest &request) override;

private:
    struct Item
    {
        QByteArray key;
        QString cursor; // updated_at, or the committer date
        QString created;
        bool isPull = false; // an issues-endpoint item that is a pull request
        QByteArray json;
    };
    struct Repo
    {
        QString name;
        int index = 0;
        bool issuesDisabled = false;
        bool empty = false;
        Item record;
        std::vector<Item> issues; // plain issues and pull request issues
        std::vector<Item> pulls;
        std::vector<Item> commits;
        std::vector<Item> releases;
    };

    const std::vector<Item> *items(const Repo &repo, const QString &entity) const;
    const Repo *findRepo(const QString &owner, const QString &name) const;
    QByteArray ownerJson(bool full) const;
    FakeResponse page(const FakeRequest &request, const QString &path, const QString &entity,
                      const QString &repo, std::vector<const Item *> list, int defaultPerPage = 30);
    void addRateHeaders(FakeResponse &response, int remaining) const;

    mutable QMutex m_mutex;
    QByteArray m_token = "ghp_test_mako";
    QString m_prefix;
    QString m_owner = QStringLiteral("mako-org");
    bool m_ownerIsOrg = true;
    std::vector<Repo> m_repos;
    int m_nextRepoIndex = 1;
    QElapsedTimer m_clock;
    int m_primaryLeft = -1; // requests before the limit is spent; -1: unlimited
    qint64 m_primaryResetEpoch = 0;
    int m_primaryResetSeconds = 1;
    int m_primaryStatus = 403;
    qint64 m_secondaryUntil = -1;
    int m_secondaryStatus = 403;
    int m_rateLimited = 0;
    int m_used = 0;
    QString m_malformedEntity;
    QString m_malformedRepo;
    int m_malformedPage = -1;
    Malformed m_malformedKind = Malformed::Truncated;
};
