// A fake of PostHog's private API (the read side a connector uses): GET /api/projects/{id}/, the persons,
// cohorts, feature_flags and annotations lists with limit/offset paging and absolute `next` URLs
// ({"count", "next", "previous", "results"}), and POST /api/projects/{id}/query/ running the events HogQL
// query the connector sends (column list, timestamp bounds, ORDER BY timestamp, uuid, LIMIT/OFFSET) with
// PostHog's
// {"columns", "types", "results", "hasMore"} answer. Personal API key as Bearer token; DRF-style error
// bodies; 429 throttling with Retry-After.
//
// Every public method is thread-safe: tests call them on their own thread while the server thread serves.
#pragma once

#include "fakehttpserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QStringList>

#include <map>
#include <vector>

class FakePostHogServer : public FakeHttpServer
{
public:
    enum class Malformed {
        Truncated,        // 200 with the body cut in half
        MissingResults,   // 200 without "results"
        RecordWithoutKey, // lists: first record has no "id"; events: first row shorter than the columns
    };

    FakePostHogServer();
    ~FakePostHogServer() override;

    // persons, cohorts, feature_flags, annotations, events
    static QStringList entities();
    static QStringList eventColumns(); // the columns the fake can select from events

    void setApiKey(const QString &key); // default "phx_test_mako"
    void setProjectId(qint64 id);       // default 4242
    // `next` links point at this base instead of the server's own address (a proxy in front of PostHog).
    void setNextBase(const QUrl &base);

    // Replaces an entity's records with `count` deterministic ones. Events are spread over March 2024, some
    // sharing a timestamp.
    void seed(const QString &entity, int count);
    // Appends `count` events newer than every existing one.
    void addEvents(int count);
    // Keys (id, or uuid for events); for events with `since`, those with timestamp later than it.
    QStringList keys(const QString &entity, const QString &since = {}) const;
    // The record as the connector stores it: list records as sent, events as an object of the row's values
    // keyed by the selected columns.
    QByteArray recordJson(const QString &entity, const QString &key) const;
    QString eventTimestamp(const QString &uuid) const;

    void rateLimitFor(int ms); // every request answers 429 with Retry-After
    int rateLimitedCount() const;
    void setMalformedPage(const QString &entity, int pageIndex, Malformed kind); // page = offset / limit
    void clearMalformed();
    QList<QString> queries() const; // HogQL received, in order

protected:
    FakeResponse handle(const FakeRequest &request) override;

private:
    struct Rec
    {
        QByteArray key;
        QDateTime timestamp;      // events
        QList<QByteArray> values; // events: rendered values in eventColumns() order
        QByteArray json;          // lists
    };
    struct Entity
    {
        std::vector<Rec> records;
        int malformedPage = -1;
        Malformed malformedKind = Malformed::Truncated;
    };

    static Rec makeEvent(int n);
    FakeResponse list(const QString &entity, const FakeRequest &request);
    FakeResponse query(const FakeRequest &request);

    mutable QMutex m_mutex;
    std::map<QString, Entity> m_entities;
    QByteArray m_apiKey = "phx_test_mako";
    qint64 m_projectId = 4242;
    QUrl m_nextBase;
    QElapsedTimer m_clock;
    qint64 m_rateLimitUntil = -1;
    int m_rateLimited = 0;
    QList<QString> m_queries;
};
