// A configurable fake REST API for the declarative REST connector: each route serves a list of records with
// one of the pagination styles manifests describe (page number, offset/limit, body cursor, Link header, next
// URL in the body), one auth style, an optional `since` filter, 429s with Retry-After, 5xx bursts and
// malformed pages. Routes can mimic real APIs (Rick and Morty's info.next/info.pages and 404 past the end,
// PokéAPI's count/next/results, JSONPlaceholder's _page/_limit Link header) so the bundled manifests are
// tested too.
//
// Every public method is thread-safe: tests call them on their own thread while the server thread serves.
#pragma once

#include "fakehttpserver.h"

#include <QMutex>
#include <QStringList>

#include <map>
#include <vector>

class FakeRestServer : public FakeHttpServer
{
public:
    enum class Paging { None, Page, Offset, Cursor, Link, NextUrl };
    enum class Auth { None, Bearer, Basic, ApiKeyHeader, ApiKeyQuery };
    enum class Malformed { Truncated, MissingRecords, NotAnArray };

    struct Route
    {
        QString path; // "/v1/items"
        Paging paging = Paging::Page;
        QString recordsPath = QStringLiteral("data"); // dotted; empty: the body is the array
        QString pageParam = QStringLiteral("page");
        int startPage = 1;
        QString sizeParam = QStringLiteral("per_page"); // empty: the page size is fixed
        int defaultPageSize = 20;
        int maxPageSize = 100;
        QString offsetParam = QStringLiteral("offset");
        QString cursorParam = QStringLiteral("cursor");
        QString cursorPath;                // body path of the next cursor (null at the end)
        QString nextUrlPath;               // body path of the next page's URL (null at the end)
        QString totalPath;                 // body path of the filtered record count
        QString totalPagesPath;            // body path of the page count
        QString hasMorePath;               // body path of a more-pages flag
        QString sinceParam;                // filters records with updated_at >= the value
        bool notFoundPastLastPage = false; // 404 {"error": "There is nothing here"} like Rick and Morty
        bool stringIds = false;            // "id": "item_0001" instead of a number
    };

    FakeRestServer();
    ~FakeRestServer() override;

    // Records 1..count; record n has updated_at 2024-01-01T00:00:00Z plus n minutes.
    void addRoute(const Route &route, int count);
    void addRecords(const QString &path, int count); // n continues after the last one
    void touch(const QString &path, int n);          // updated_at becomes newer than any other
    void removeRecord(const QString &path, int n);
    QStringList keys(const QString &path) const;             // the record keys (id text), sorted as text
    QStringList names(const QString &path) const;            // the records' "name" values, sorted
    QByteArray recordJson(const QString &path, int n) const; // exactly as served
    QString maxUpdatedAt(const QString &path) const;

    // Credentials the API accepts; other requests get 401 {"message": "Bad credentials"}.
    void setAuth(Auth auth, const QString &secret, const QString &name = QStringLiteral("X-Api-Key"),
                 const QString &user = QString());
    // Every nth request answers 429 with Retry-After in seconds. 0 turns it off.
    void setRateLimitEvery(int n, int retryAfterSeconds);
    void failNext(int count, int status = 503);
    // The page at this 0-based position (first record / page size) of the route is broken every time.
    void setMalformedPage(const QString &path, int pageIndex, Malformed kind = Malformed::Truncated);
    int listRequestCount(const QString &path) const; // pages answered 200 for the route

protected:
    FakeResponse handle(const FakeRequest &request) override; // server thread

private:
    struct Item
    {
        int n = 0;
        QString updatedAt;
        QByteArray json;
    };
    struct Data
    {
        Route route;
        std::vector<Item> items; // by n
        int lastN = 0;
        int listRequests = 0;
        int malformedPage = -1;
        Malformed malformedKind = Malformed::Truncated;
    };

    void render(Data &data, Item &item) const;
    FakeResponse list(Data &data, const FakeRequest &request);
    bool authorized(const FakeRequest &request) const;

    mutable QMutex m_mutex;
    std::map<QString, Data> m_routes;
    Auth m_auth = Auth::None;
    QString m_secret;
    QString m_keyName = QStringLiteral("X-Api-Key");
    QString m_user;
    int m_rateLimitEvery = 0;
    int m_retryAfterSeconds = 1;
    int m_counter = 0;
    int m_failCount = 0;
    int m_failStatus = 503;
    int m_touchCounter = 0;
};
