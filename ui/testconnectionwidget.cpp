#include "testconnectionwidget.h"

#include "busyindicator.h"
#include "svgicon.h"
#include "syncengine.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

TestConnectionWidget::TestConnectionWidget(SyncEngine *engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_testButton = new QPushButton(Icons::ui(QStringLiteral("test")), tr("Test connection"), this);
    m_testButton->setObjectName(QStringLiteral("testButton"));
    m_testButton->setToolTip(tr("Check the credentials against the service (Ctrl+T)"));
    m_cancelButton = new QPushButton(tr("Cancel test"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelTestButton"));
    m_cancelButton->hide();
    m_busy = new BusyIndicator(this);
    m_busy->setObjectName(QStringLiteral("testBusy"));
    m_icon = new QLabel(this);
    m_icon->setFixedSize(18, 18);
    m_icon->hide();
    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("testVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    layout->addWidget(m_testButton);
    layout->addWidget(m_cancelButton);
    layout->addWidget(m_busy);
    layout->addWidget(m_icon);
    layout->addWidget(m_verdict, 1);

    connect(m_testButton, &QPushButton::clicked, this, &TestConnectionWidget::startTest);
    connect(m_cancelButton, &QPushButton::clicked, this, &TestConnectionWidget::cancelTest);
}

TestConnectionWidget::~TestConnectionWidget()
{
    // The job belongs to the engine; just ask it to stop so its thread ends promptly.
    if (m_job)
        m_job->cancel();
}

QString TestConnectionWidget::verdict() const
{
    return m_verdict->text();
}

void TestConnectionWidget::clearVerdict()
{
    m_verdict->clear();
    m_icon->hide();
}

void TestConnectionWidget::startTest()
{
    if (m_job)
        return;
    QString connectorId;
    QJsonObject config;
    if (!m_provider || !m_provider(&connectorId, &config)) {
        showVerdict(false, tr("Fix the highlighted fields first."), QString());
        return;
    }
    m_job = m_engine->startTest(connectorId, config);
    if (!m_job) {
        showVerdict(false, tr("Could not start the test."), QString());
        return;
    }
    m_icon->hide();
    m_verdict->setStyleSheet(QString());
    m_verdict->setText(tr("Testing…"));
    m_testButton->setEnabled(false);
    m_cancelButton->show();
    m_cancelButton->setEnabled(true);
    m_busy->start();
    connect(m_job.data(), &TestJob::finished, this, [this](const TestResult &result) {
        m_job.clear();
        m_busy->stop();
        m_cancelButton->hide();
        m_testButton->setEnabled(true);
        showVerdict(result.success, result.message, result.details);
        emit testFinished(result);
    });
}

void TestConnectionWidget::cancelTest()
{
    if (!m_job)
        return;
    m_job->cancel();
    m_cancelButton->setEnabled(false);
    m_verdict->setText(tr("Cancelling…"));
}

void TestConnectionWidget::showVerdict(bool success, const QString &message, const QString &details)
{
    const QIcon icon = success ? Icons::ui(QStringLiteral("ok"), QColor(0x2e, 0x7d, 0x32))
                               : Icons::ui(QStringLiteral("error"), QColor(0xc6, 0x28, 0x28));
    m_icon->setPixmap(icon.pixmap(QSize(18, 18), devicePixelRatioF()));
    m_icon->show();
    m_verdict->setStyleSheet(success ? QStringLiteral("color: #2e7d32;") : QStringLiteral("color: #c62828;"));
    m_verdict->setText(message.isEmpty() ? (success ? tr("Connection works.") : tr("The test failed."))
                                         : message);
    m_verdict->setToolTip(details);
}
