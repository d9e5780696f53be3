// A fake of the Close REST API v1 (the read side a connector uses): GET /api/v1/me/ and the list endpoints of
// leads, contacts, opportunities, activities, tasks and users with _skip/_limit paging ({"has_more",
// "data"}), the date filters each endpoint documents, the lead search query's date clauses and sort:, leads
// with their contacts embedded, HTTP Basic auth with the API key as user name, Close's error bodies and its
// 429 answer (rate_reset in the body, RateLimit and Retry-After headers).
//
// Every public method is thread-safe: tests call them on their own thread while the server thread serves.
#pragma once

#include "fakehttpserver.h"

#include <QElapsedTimer>
#include <QStringList>

#include <map>
#include <vector>

class FakeCloseServer : public FakeHttpServer
{
public:
    enum class Malformed {
        Truncated,       // 200 with the body cut in half
        MissingData,     // 200 with {"has_more": false} and no "data"
        MissingHasMore,  // 200 with "data" but no "has_more"
        RecordWithoutId, // 200 whose first record has no "id"
    };
    enum class RateLimitStyle {
        Full,           // RateLimit header, Retry-After and rate_reset in the body
        RetryAfterOnly, // Retry-After and the body (Close's stricter endpoints)
        BodyOnly,       // only rate_reset in the body
    };

    FakeCloseServer();
    ~FakeCloseServer() override;

    // leads, contacts, opportunities, activities, tasks, users
    static QStringList entities();
    static QString endpoint(const QString &entity); // "lead"

    void setApiKey(const QString &key); // default "api_test_mako"
    QString apiKey() const;

    // Replaces the entity's records with `count` new ones. Record n (1-based) has id <prefix>_<n, 10 digits>,
    // date_created = 2024-01-01T00:00 + n hours and date_updated a few days later. Tasks rotate through the
    // types lead, missed_call and incoming_email; the list without _type shows only lead tasks, as Close
    // does.
    void seed(const QString &entity, int count);
    // Sets record n's date_updated (ISO text as Close writes it) and re-renders it.
    void touch(const QString &entity, int n, const QString &dateUpdated);
    // Sets the date_created of records n to `through` (n alone when 0), e.g. to give several one instant.
    void setCreated(const QString &entity, int n, const QString &dateCreated, int through = 0);
    // A list request with _skip at or past `cap` answers 400, as Close does past its per-endpoint limit;
    // -1 (the default) has no limit.
    void setSkipCap(int cap);
    QStringList ids(const QString &entity) const;
    // Ids whose `field` (date_created or date_updated) is later than `since`.
    QStringList idsAfter(const QString &entity, const QString &field, const QString &since) const;
    QByteArray recordJson(const QString &entity, const QString &id) const;
    // date_updated (or date_created) of record n, as rendered.
    QString dateOf(const QString &entity, int n, const QString &field) const;

    // Every request answers 429 for the next `ms` milliseconds.
    void rateLimitFor(int ms, RateLimitStyle style = RateLimitStyle::Full);
    int rateLimitedCount() const;
    // The list page starting at _skip = pageIndex * _limit answers 200 with a broken body.
    void setMalformedPage(const QString &entity, int pageIndex, Malformed kind);
    void clearMalformed();
    // The next `count` requests answer `status` with a Close error body.
    void failNext(int count, int status = 503);
    // List requests answered 200 for this entity.
    int listRequestCount(const QString &entity) const;

protected:
    FakeResponse handle(const FakeRequest &request) override;

private:
    struct Rec
    {
        int n = 0;
        QByteArray id;
        QString dateCreated;
        QString dateUpdated;
        QString type; // tasks: _type
        QByteArray json;
    };
    struct Entity
    {
        std::vector<Rec> records;
        int listRequests = 0;
        int malformedPage = -1;
        Malformed malformedKind = Malformed::Truncated;
    };

    void render(const QString &entity, Rec &rec) const;
    // Leads carry their contacts, as Close embeds them: rebuilt whenever leads or contacts change.
    void embedContacts();
    FakeResponse list(const QString &entity, Entity &data, const FakeRequest &request);
    FakeResponse rateLimited() const;

    mutable QMutex m_mutex;
    std::map<QString, Entity> m_entities;
    QByteArray m_apiKey = "api_test_mako";
    QElapsedTimer m_clock;
    qint64 m_rateLimitUntil = -1;
    RateLimitStyle m_rateLimitStyle = RateLimitStyle::Full;
    int m_rateLimited = 0;
    int m_failCount = 0;
    int m_failStatus = 503;
    int m_skipCap = -1;
};
