// A fake of Stripe's REST API (the read side a connector uses): GET /v1/account, GET /v1/<entity> lists with
// Stripe's cursor pagination and created[...] filters, GET /v1/<entity>/<id>, Bearer/Basic auth and Stripe's
// error bodies. Records are deterministic, Stripe-shaped, about 700 bytes each, rendered once when seeded.
//
// Every public method is thread-safe: tests call them on their own thread while the server thread serves.
#pragma once

#include "fakehttpserver.h"

#include <QJsonValue>
#include <QStringList>

#include <limits>
#include <map>
#include <vector>

class FakeStripeServer : public FakeHttpServer
{
public:
    enum class Malformed {
        Truncated,   // 200 with the body cut in half: not valid JSON
        MissingData, // 200 with a valid list object that has no "data"
        CutShort,    // 200 whose connection closes halfway through the body it announced
    };

    FakeStripeServer();
    ~FakeStripeServer() override;

    // The list endpoints served: customers, charges, invoices, subscriptions, products, prices,
    // payment_intents, refunds, balance_transactions.
    static QStringList entities();
    static QByteArray idPrefix(const QString &entity); // "cus_" for customers; empty when unknown

    void setApiKey(const QString &key); // default "sk_test_mako"
    QString apiKey() const;

    // Replaces the entity's records with `count` new ones: record n (1-based) has id <prefix><n as 10 digits>
    // (cus_0000000001) and created = firstCreated + n.
    void seed(const QString &entity, int count, qint64 firstCreated = 1700000000);
    // Appends `count` newer records, continuing n (and created) after the newest one.
    void addRecords(const QString &entity, int count);
    // Sets a top-level field of one record to `value` and re-renders it (QJsonValue::Undefined restores the
    // generated value). Changing "created" moves the record in the list order; "id" cannot be changed.
    void updateRecord(const QString &entity, const QString &id, const QByteArray &field,
                      const QJsonValue &value);
    void removeRecord(const QString &entity, const QString &id);
    QStringList ids(const QString &entity) const; // in list order: newest first
    int count(const QString &entity) const;
    QByteArray recordJson(const QString &entity, const QString &id) const; // empty when there is none

    // Every nth list or account request answers 429 (Stripe's rate-limit error) with Retry-After in seconds
    // or, with httpDate, as an HTTP-date that many seconds ahead. n = 0 turns it off.
    void setRateLimitEvery(int n, int retryAfterSeconds, bool httpDate = false);
    // The next `count` requests (of any kind, before auth) answer `status` with a Stripe api_error body.
    void failNext(int count, int status = 503);
    // The list page with this 0-based index (its position in the newest-first walk / limit) answers 200
    // with a broken body, the first `times` times it is asked for (-1: every time). pageIndex < 0 turns it
    // off.
    void setMalformedPage(const QString &entity, int pageIndex, Malformed kind = Malformed::Truncated,
                          int times = -1);
    // A broken API (seen against mocks of Stripe's OpenAPI spec): every list page of the entity is its first
    // page with has_more true, whatever starting_after says.
    void setStuckCursor(const QString &entity, bool stuck);
    // The next `count` requests get their connection closed without an answer. QNAM silently resends a
    // request once when a kept-alive connection closes under it: drop two to make a QNAM request fail.
    void dropNext(int count);
    // List pages answered 200 for this entity (429s, failures and drops not counted; malformed pages are).
    int listRequestCount(const QString &entity) const;

protected:
    FakeResponse handle(const FakeRequest &request) override; // server thread

private:
    struct Record
    {
        qint64 created = 0;
        int n = 0;       // the id is <prefix><n as 10 digits>
        QByteArray json; // rendered once; list pages copy it as is
    };
    struct Entity
    {
        QByteArray prefix;           // "cus_"
        std::vector<Record> records; // ascending (created, id); the API lists them in reverse
        // created of record n at index n (ids encode n), kMissing for removed ones: finds a cursor's record
        // with a binary search and no hash of a million ids.
        std::vector<qint64> createdByN;
        QHash<QByteArray, QHash<QByteArray, QByteArray>> overrides; // id -> field -> rendered JSON value
        qint64 firstCreated = 1700000000;
        int lastN = 0;
        int listRequests = 0;
        int malformedPage = -1;
        Malformed malformedKind = Malformed::Truncated;
        int malformedTimes = -1; // left to serve broken; -1 for ever
        bool stuckCursor = false;
    };

    Entity *entity(const QString &name);
    const Entity *entity(const QString &name) const;
    static constexpr qint64 kMissing = std::numeric_limits<qint64>::min();
    static qsizetype indexOf(const Entity &entity, const QByteArray &id);
    FakeResponse list(const QString &name, Entity &entity, const FakeRequest &request);
    FakeResponse retrieve(const QString &name, const Entity &entity, const QByteArray &id) const;
    FakeResponse rateLimited() const;

    mutable QMutex m_mutex;
    std::map<QString, Entity> m_entities; // one per entities(), created up front
    QByteArray m_apiKey = "sk_test_mako";
    int m_rateLimitEvery = 0;
    int m_retryAfterSeconds = 1;
    bool m_retryAfterHttpDate = false;
    int m_rateLimitCounter = 0;
    int m_failCount = 0;
    int m_failStatus = 503;
    int m_dropCount = 0;
};
