// GitHub (github.com or GitHub Enterprise Server): repositories, issues, pull requests, commits and releases
// of an organisation's (or user's) repositories or of a configured list, over the REST API with Link-header
// paging.
#pragma once

#include "connector.h"

class GitHubConnector : public BaseConnector
{
public:
    static ConnectorMetadata staticMetadata();

    QStringList validateConfig() const override;
    TestResult testConnection() override;
    FetchState fetchEntityChunk(const ResumableFetchOptions &options) override;

    // The rel="next" URL of a Link header, moved onto `base`'s scheme, host and port (the token only goes
    // there); empty when there is none. Public for the fuzz target.
    static QUrl parseNextLink(const QByteArray &linkHeader, const QUrl &base);

private:
    void prepare();
    QUrl apiUrl(const QString &path, const QList<QPair<QString, QString>> &query = {}) const;
    QStringList configuredRepositories() const;
    // The repositories per-repository entities walk: the configured list, or every repository of the
    // organisation (or user) listed once and kept in the state's metadata.
    QStringList resolveRepositories(FetchState &state, int &iterations);
    // First page of the owner's repository listing: /orgs/{owner}/repos, or /users/{owner}/repos when the
    // owner is a user. Records which one in the state's metadata.
    HttpResponse ownerReposPage(FetchState &state, const QUrl &cursor, int perPage);
    QUrl nextLink(const HttpResponse &response) const;
    void throwIfFailed(const HttpResponse &response, const QString &context = {});

    FetchState fetchRepositories(const ResumableFetchOptions &options, FetchState state, int perPage);
    FetchState fetchPerRepository(const ResumableFetchOptions &options, FetchState state, int perPage);

    bool m_prepared = false;
};
