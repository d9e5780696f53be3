// A fake GraphQL endpoint (POST /graphql, JSON {query, variables}) with two Relay-style connections:
//   repository { issues(first, after, since) { totalCount edges { cursor node {…} } pageInfo {…} } }  (edges)
//   users(first, after) { nodes {…} pageInfo { hasNextPage endCursor } }                            (nodes)
// It does not parse GraphQL: it picks the connection by the words in the query, reads $after/$first/$since
// from the variables, and answers like GitHub's GraphQL API does: 401 for a bad token, 200 with an
// "errors" array for a field that does not exist, 429 with Retry-After when rate-limited.
//
// Every public method is thread-safe.
#pragma once

#include "fakehttpserver.h"

#include <QJsonObject>
#include <QMutex>
#include <QStringList>

#include <vector>

class FakeGraphQLServer : public FakeHttpServer
{
public:
    enum class Malformed { NoPageInfo, NoRecords, Truncated };

    FakeGraphQLServer();
    ~FakeGraphQLServer() override;

    void seedIssues(int count);   // ids I_0001…; updatedAt 2024-01-01T00:00:00Z plus n minutes
    void seedUsers(int count);    // ids U_0001…
    void touchIssue(int n);       // updatedAt becomes newer than any other
    QStringList issueIds() const; // sorted
    QStringList userIds() const;
    QByteArray issueJson(int n) const;

    void setToken(const QString &token); // empty: no auth needed
    void setRateLimitEvery(int n, int retryAfterSeconds);
    // The page at this 0-based index (after / first) of either connection is broken every time.
    void setMalformedPage(int pageIndex, Malformed kind);
    // Data and an "errors" array together, as servers do when one field fails.
    void setPartialErrors(bool on);
    int pageRequestCount() const;
    QList<QJsonObject> variablesLog() const; // the variables of every page request, in order

protected:
    FakeResponse handle(const FakeRequest &request) override; // server thread

private:
    struct Item
    {
        int n = 0;
        QString updatedAt;
        QByteArray json;
    };
    void renderIssue(Item &item) const;

    mutable QMutex m_mutex;
    std::vector<Item> m_issues;
    std::vector<Item> m_users;
    QString m_token;
    int m_rateLimitEvery = 0;
    int m_retryAfterSeconds = 1;
    int m_counter = 0;
    int m_malformedPage = -1;
    Malformed m_malformedKind = Malformed::NoPageInfo;
    bool m_partialErrors = false;
    int m_pageRequests = 0;
    int m_touchCounter = 0;
    QList<QJsonObject> m_variables;
};
