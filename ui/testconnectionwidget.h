// "Test connection" with a busy indicator, a Cancel and a verdict line. The test itself runs as a TestJob on
// a worker thread (SyncEngine::startTest); this widget only starts it and shows the verdict. GUI thread.
#pragma once

#include "connector.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <functional>

class BusyIndicator;
class QLabel;
class QPushButton;
class SyncEngine;
class TestJob;

class TestConnectionWidget : public QWidget
{
    Q_OBJECT
public:
    // Supplies what to test; returns false (after showing why) when the form is not valid yet.
    using ConfigProvider = std::function<bool(QString *connectorId, QJsonObject *config)>;

    explicit TestConnectionWidget(SyncEngine *engine, QWidget *parent = nullptr);
    ~TestConnectionWidget() override;

    void setConfigProvider(ConfigProvider provider) { m_provider = std::move(provider); }
    bool isRunning() const { return !m_job.isNull(); }
    QString verdict() const;
    void clearVerdict();

public slots:
    void startTest();
    void cancelTest();

signals:
    void testFinished(const TestResult &result);

private:
    void showVerdict(bool success, const QString &message, const QString &details);

    SyncEngine *m_engine;
    ConfigProvider m_provider;
    QPointer<TestJob> m_job;
    QPushButton *m_testButton;
    QPushButton *m_cancelButton;
    BusyIndicator *m_busy;
    QLabel *m_icon;
    QLabel *m_verdict;
};
