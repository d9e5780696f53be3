// A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: keep-alive, one QThread of its own, and a
// handler each fake API implements. It speaks just enough HTTP for QNetworkAccessManager.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QString>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <atomic>
#include <functional>

struct FakeRequest
{
    QByteArray method;
    QString path;                          // decoded path, no query ("/v1/customers")
    QUrlQuery query;                       // decoded query items
    QByteArray rawTarget;                  // request target as sent ("/v1/customers?limit=100")
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;
    int index = 0; // 1-based count of requests this server has received
};

struct FakeResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers; // Content-Type defaults to application/json
    QByteArray body;
    bool dropConnection = false;  // close the socket without answering
    qsizetype cutAfterBytes = -1; // send the full Content-Length but only this much body, then close
    int delayMs = 0;              // answer after this delay (without blocking other connections)

    static FakeResponse json(int status, const QByteArray &body);
};

class FakeHttpServer
{
public:
    FakeHttpServer();
    // Stops the server thread. A subclass must call stop() in its own destructor: once it is destroyed,
    // handle() can no longer be called on it.
    virtual ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer &) = delete;
    FakeHttpServer &operator=(const FakeHttpServer &) = delete;

    // Listens on 127.0.0.1:`port` (0 = any free port) in the server's own thread. Returns once listening.
    bool start(quint16 port = 0);
    void stop();
    quint16 port() const { return m_port; }
    QUrl baseUrl() const; // "http://127.0.0.1:<port>"

    // Every response is delayed by this much (simulated API latency). Thread-safe.
    void setLatencyMs(int ms) { m_latencyMs = ms; }
    int requestCount() const { return m_requestCount; }
    // TCP connections accepted so far (keep-alive check: many requests, few connections). Thread-safe.
    int connectionCount() const { return m_connectionCount; }
    // Request targets received so far, in order ("/v1/customers?limit=100"). Thread-safe.
    QList<QByteArray> requestLog() const;
    QList<FakeRequest> requests() const; // full requests, in order
    void clearRequestLog();
    // Keeping the log is on by default; benchmarks turn it off. Thread-safe.
    void setKeepLog(bool keep) { m_keepLog = keep; }
    // Called on the server thread after each request is handled (access logs). Set before start().
    void setObserver(std::function<void(const FakeRequest &, const FakeResponse &)> observer)
    {
        m_observer = std::move(observer);
    }

protected:
    // Called on the server thread, one request at a time. Implementations guard their own state.
    virtual FakeResponse handle(const FakeRequest &request) = 0;

private:
    friend class FakeHttpServerWorker;
    friend class FakeHttpConnection;
    FakeResponse dispatch(FakeRequest &request);

    QThread m_thread;
    class FakeHttpServerWorker *m_worker = nullptr;
    quint16 m_port = 0;
    std::atomic<int> m_latencyMs{0};
    std::atomic<int> m_requestCount{0};
    std::atomic<int> m_connectionCount{0};
    mutable QMutex m_logMutex;
    QList<FakeRequest> m_log;
    std::atomic<bool> m_keepLog{true};
    std::function<void(const FakeRequest &, const FakeResponse &)> m_observer;
};
