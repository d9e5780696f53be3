#include "syncpanel.h"

#include "format.h"
#include "svgicon.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QFontDatabase>
#include <QFontMetrics>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTime>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

constexpr int kPerEntity = -1; // the mode box's "Per entity", beside its SyncMode values

// What to do after a failed sync, in the app's words.
QString nextStep(FailureKind kind)
{
    switch (kind) {
    case FailureKind::Auth:
        return SyncPanel::tr("fix the key with Edit, then Sync again: it resumes");
    case FailureKind::Refused:
        return SyncPanel::tr(
            "syncing again as it is will fail the same way: change what the error names first");
    case FailureKind::Catalog:
        return SyncPanel::tr("once the catalog can be written again, Sync resumes from the last saved page");
    default:
        return SyncPanel::tr("Sync again resumes the failed entities from their last saved page");
    }
}

bool isActive(const QString &state)
{
    return state == QLatin1String("running") || state == QLatin1String("waiting") ||
           state == QLatin1String("queued");
}

} // namespace

SyncPanel::SyncPanel(SyncEngine *engine, Catalog *catalog, const ConnectionInfo &connection,
                     const ConnectorMetadata &metadata, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_catalog(catalog)
    , m_connection(connection)
    , m_baseMetadata(metadata)
    , m_metadata(metadata.forConfig(connection.config, &m_entityError))
{
    setObjectName(QStringLiteral("syncPanel_%1").arg(connection.id));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);

    // Interrupted / cancelled sync banner: offered, not hidden.
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("interruptedBanner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setStyleSheet(
        QStringLiteral("#interruptedBanner { background: #fff4e0; border: 1px solid #e0a040; "
                       "border-radius: 4px; } #interruptedBanner QLabel { color: #5a3b00; }"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    auto *bannerIcon = new QLabel(m_banner);
    bannerIcon->setPixmap(Icons::ui(QStringLiteral("warning"), QColor(0xb2, 0x6a, 0x00))
                              .pixmap(QSize(20, 20), devicePixelRatioF()));
    bannerLayout->addWidget(bannerIcon, 0, Qt::AlignTop);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setObjectName(QStringLiteral("interruptedLabel"));
    m_bannerText->setWordWrap(true);
    bannerLayout->addWidget(m_bannerText, 1);
    m_resumeButton = new QPushButton(Icons::ui(QStringLiteral("resume")), tr("Resume"), m_banner);
    m_resumeButton->setObjectName(QStringLiteral("resumeButton"));
    m_resumeButton->setToolTip(tr("Continue the unfinished entities from their last saved page"));
    bannerLayout->addWidget(m_resumeButton, 0, Qt::AlignVCenter);
    m_banner->hide();
    layout->addWidget(m_banner);

    // Entities and mode.
    auto *choose = new QGroupBox(tr("What to sync"), this);
    auto *chooseLayout = new QVBoxLayout(choose);
    m_entityGrid = new QGridLayout;
    m_entityNote = new QLabel(choose);
    m_entityNote->setObjectName(QStringLiteral("entityNote"));
    m_entityNote->setWordWrap(true);
    m_entityNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_entityNote->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_entityNote->hide();
    chooseLayout->addWidget(m_entityNote);
    chooseLayout->addLayout(m_entityGrid);
    auto *modeRow = new QHBoxLayout;
    modeRow->addWidget(new QLabel(tr("Mode:"), choose));
    m_mode = new QComboBox(choose);
    m_mode->setObjectName(QStringLiteral("syncMode"));
    m_mode->addItem(tr("Full refresh"), int(SyncMode::Full));
    m_mode->addItem(tr("Incremental"), int(SyncMode::Incremental));
    m_mode->addItem(tr("Per entity"), kPerEntity);
    m_mode->setItemData(2, tr("Choose full refresh or incremental for each entity."), Qt::ToolTipRole);
    m_mode->setItemData(0,
                        tr("Fetch everything. Records kept until the refresh completes; then records that no "
                           "longer exist are removed."),
                        Qt::ToolTipRole);
    modeRow->addWidget(m_mode);
    auto *all = new QPushButton(tr("Select all"), choose);
    all->setFlat(true);
    auto *none = new QPushButton(tr("Select none"), choose);
    none->setFlat(true);
    modeRow->addStretch(1);
    modeRow->addWidget(all);
    modeRow->addWidget(none);
    m_syncButton = new QPushButton(Icons::ui(QStringLiteral("sync")), tr("Sync"), choose);
    m_syncButton->setObjectName(QStringLiteral("syncButton"));
    m_syncButton->setToolTip(tr("Sync the checked entities (Ctrl+R)"));
    m_syncButton->setDefault(true);
    m_cancelButton = new QPushButton(Icons::ui(QStringLiteral("cancel")), tr("Cancel"), choose);
    m_cancelButton->setObjectName(QStringLiteral("cancelSyncButton"));
    m_cancelButton->setToolTip(tr("Stop after the request in flight; saved records and progress are kept "
                                  "(Ctrl+.)"));
    modeRow->addWidget(m_syncButton);
    modeRow->addWidget(m_cancelButton);
    chooseLayout->addLayout(modeRow);
    layout->addWidget(choose);
    connect(all, &QPushButton::clicked, this, [this] {
        for (QCheckBox *check : std::as_const(m_checks))
            check->setChecked(true);
    });
    connect(none, &QPushButton::clicked, this, [this] {
        for (QCheckBox *check : std::as_const(m_checks))
            check->setChecked(false);
    });

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("syncStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_tree = new QTreeWidget(splitter);
    m_tree->setObjectName(QStringLiteral("syncProgress"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Entity"), tr("Progress"), tr("Records"), tr("Pages"), tr("Speed"),
                             tr("Elapsed"), tr("ETA"), tr("State")});
    m_tree->setRootIsDecorated(false);
    m_tree->setSelectionMode(QAbstractItemView::NoSelection);
    m_tree->setFocusPolicy(Qt::NoFocus);
    m_tree->setUniformRowHeights(true);
    m_tree->setStyleSheet(QStringLiteral("QTreeWidget::item { padding: 4px 2px; }"));
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(ProgressColumn, QHeaderView::Stretch);
    // Wide enough for the longest usual text in the font and scale in use (fixed pixels cut "131,579 re…").
    const QFontMetrics metrics(m_tree->font());
    const auto fit = [&](int column, const QString &sample) {
        const int text = qMax(metrics.horizontalAdvance(sample),
                              metrics.horizontalAdvance(m_tree->headerItem()->text(column)));
        m_tree->setColumnWidth(column, text + 2 * metrics.averageCharWidth());
    };
    QString longestEntity;
    for (const EntityInfo &info : std::as_const(m_metadata.entities)) {
        const QString label = info.label.isEmpty() ? info.name : info.label;
        if (metrics.horizontalAdvance(label) > metrics.horizontalAdvance(longestEntity))
            longestEntity = label;
    }
    fit(EntityColumn, longestEntity);
    fit(RecordsColumn, QStringLiteral("%1 / ≈%1").arg(Format::count(10000000)));
    fit(PagesColumn, Format::count(100000));
    fit(RateColumn, Format::rate(1000000));
    fit(ElapsedColumn, Format::duration(36000000));
    fit(EtaColumn, QStringLiteral("≈") + Format::duration(36000000));
    fit(StateColumn, tr("running (resumed)"));
    m_tree->headerItem()->setTextAlignment(RecordsColumn, Qt::AlignRight | Qt::AlignVCenter);

    auto *logBox = new QWidget(splitter);
    auto *logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(0, 4, 0, 0);
    auto *logTitle = new QLabel(tr("Log"), logBox);
    QFont bold = logTitle->font();
    bold.setBold(true);
    logTitle->setFont(bold);
    logLayout->addWidget(logTitle);
    m_log = new QPlainTextEdit(logBox);
    m_log->setObjectName(QStringLiteral("syncLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000); // a long sync's log stays bounded in memory
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setPlaceholderText(tr("Messages from the sync appear here."));
    logLayout->addWidget(m_log);
    splitter->addWidget(m_tree);
    splitter->addWidget(logBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    // Log lines arrive in bursts: append them in batches, a few times a second.
    m_logTimer = new QTimer(this);
    m_logTimer->setInterval(150);
    connect(m_logTimer, &QTimer::timeout, this, &SyncPanel::flushLog);
    // Elapsed keeps ticking between progress snapshots (a rate-limited source may pause).
    m_tickTimer = new QTimer(this);
    m_tickTimer->setInterval(500);
    connect(m_tickTimer, &QTimer::timeout, this, [this] {
        for (Row &r : m_rows)
            if (r.last.state == QLatin1String("running") || r.last.state == QLatin1String("waiting"))
                paintRow(r); // elapsed time and a wait's countdown move on
    });

    connect(m_syncButton, &QPushButton::clicked, this, &SyncPanel::startSync);
    connect(m_cancelButton, &QPushButton::clicked, this, &SyncPanel::cancelSync);
    connect(m_resumeButton, &QPushButton::clicked, this, &SyncPanel::resume);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue(QStringLiteral("sync/mode/%1").arg(m_connection.id),
                             m_mode->currentData().toInt());
        showEntityModes();
    });

    rebuildEntityChecks();
    updateModeAvailability();
    const int remembered = QSettings().value(QStringLiteral("sync/mode/%1").arg(connection.id)).toInt();
    if (remembered == int(SyncMode::Incremental))
        setMode(SyncMode::Incremental);
    else if (remembered == kPerEntity)
        setModePerEntity(true);
    setStatus(tr("Choose entities and press Sync."), QString());
    showStoredStates();
    refreshInterrupted();
    updateControls();
}

SyncPanel::~SyncPanel()
{
    flushLog();
}

QString SyncPanel::entitiesSettingKey() const
{
    // Per catalog too: connection ids restart at 1 in every catalog, and another catalog's "customers"
    // choice must not uncheck a new connection's entities.
    const QByteArray catalog = m_engine ? m_engine->catalogLocation().toUtf8() : QByteArray();
    return QStringLiteral("sync/entities/%1-%2")
        .arg(
            QString::fromLatin1(QCryptographicHash::hash(catalog, QCryptographicHash::Sha1).toHex().left(12)))
        .arg(m_connection.id);
}

void SyncPanel::rebuildEntityChecks()
{
    const QStringList remembered = QSettings().value(entitiesSettingKey()).toStringList();
    const QVariantMap modes =
        QSettings().value(QStringLiteral("sync/entityModes/%1").arg(m_connection.id)).toMap();
    qDeleteAll(m_entityCells);
    m_entityCells.clear();
    m_checks.clear();
    m_entityModes.clear();
    QWidget *box = m_entityNote->parentWidget();
    for (const EntityInfo &entity : std::as_const(m_metadata.entities)) {
        auto *cell = new QWidget(box);
        auto *cellLayout = new QHBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        auto *check = new QCheckBox(entity.label.isEmpty() ? entity.name : entity.label, cell);
        check->setObjectName(QStringLiteral("entity_%1").arg(entity.name));
        check->setChecked(remembered.isEmpty() || remembered.contains(entity.name));
        check->setEnabled(!isSyncing());
        check->setToolTip(QStringLiteral("%1\n%2: %3")
                              .arg(entity.description, Format::incrementalMode(entity.incremental),
                                   Format::incrementalModeHelp(entity.incremental))
                              .trimmed());
        connect(check, &QCheckBox::toggled, this, [this] {
            updateModeAvailability();
            updateControls();
            QSettings().setValue(entitiesSettingKey(), selectedEntities());
        });
        m_checks.insert(entity.name, check);
        QComboBox *mode = newEntityModeBox(entity, SyncMode(modes.value(entity.name).toInt()), cell);
        m_entityModes.insert(entity.name, mode);
        cellLayout->addWidget(check);
        cellLayout->addWidget(mode);
        cellLayout->addStretch(1);
        m_entityCells.append(cell);
    }
    showEntityModes();
    // Files and GraphQL connections define their entities: say why there is nothing to check.
    QString note;
    if (!m_entityError.isEmpty())
        note = tr("Some entities in this connection's settings could not be read: %1. Edit the connection "
                  "to fix them.")
                   .arg(m_entityError);
    else if (m_metadata.entities.isEmpty() && m_baseMetadata.configEntities)
        note = tr("This connection defines no entities yet: edit it and fill in its Entities (or, for "
                  "files, point it at a folder holding .csv or .jsonl files).");
    m_entityNote->setText(note);
    m_entityNote->setVisible(!note.isEmpty());
    // Rows of entities the settings no longer define go, unless they are still moving.
    for (auto it = m_rows.begin(); it != m_rows.end();) {
        if (!m_metadata.entity(it.key()) && !isActive(it->last.state)) {
            delete it->item;
            it = m_rows.erase(it);
        } else {
            ++it;
        }
    }
}

void SyncPanel::setConnection(const ConnectionInfo &connection)
{
    m_connection = connection;
    refreshEntities();
}

void SyncPanel::refreshEntities()
{
    if (isSyncing()) {
        m_entitiesStale = true; // the job works with the entities it started with
        return;
    }
    m_entitiesStale = false;
    QString error;
    ConnectorMetadata metadata = m_baseMetadata.forConfig(m_connection.config, &error);
    if (metadata.entityNames() == m_metadata.entityNames() && error == m_entityError)
        return;
    m_metadata = metadata;
    m_entityError = error;
    rebuildEntityChecks();
    showStoredStates();
    refreshInterrupted();
    updateModeAvailability();
    updateControls();
}

QStringList SyncPanel::selectedEntities() const
{
    QStringList names;
    for (const EntityInfo &entity : m_metadata.entities)
        if (QCheckBox *check = m_checks.value(entity.name); check && check->isChecked())
            names << entity.name;
    return names;
}

void SyncPanel::setSelectedEntities(const QStringList &entities)
{
    for (auto it = m_checks.begin(); it != m_checks.end(); ++it)
        it.value()->setChecked(entities.contains(it.key()));
}

SyncMode SyncPanel::mode() const
{
    return isModePerEntity() ? SyncMode::Full : SyncMode(m_mode->currentData().toInt());
}

bool SyncPanel::isModePerEntity() const
{
    return m_mode->currentData().toInt() == kPerEntity;
}

void SyncPanel::setModePerEntity(bool perEntity)
{
    if (perEntity)
        m_mode->setCurrentIndex(m_mode->findData(kPerEntity));
    else if (isModePerEntity())
        m_mode->setCurrentIndex(0);
}

SyncMode SyncPanel::entityMode(const QString &entity) const
{
    if (!isModePerEntity())
        return isModeAvailable(mode()) ? mode() : SyncMode::Full;
    const QComboBox *box = m_entityModes.value(entity);
    return box ? SyncMode(box->currentData().toInt()) : SyncMode::Full;
}

void SyncPanel::setEntityMode(const QString &entity, SyncMode mode)
{
    QComboBox *box = m_entityModes.value(entity);
    const int index = box ? box->findData(int(mode)) : -1;
    const auto *items = box ? qobject_cast<QStandardItemModel *>(box->model()) : nullptr;
    if (index >= 0 && items && items->item(index)->isEnabled())
        box->setCurrentIndex(index);
}

QComboBox *SyncPanel::newEntityModeBox(const EntityInfo &entity, SyncMode remembered, QWidget *parent)
{
    auto *box = new QComboBox(parent);
    box->setObjectName(QStringLiteral("entityMode_%1").arg(entity.name));
    box->addItem(tr("Full"), int(SyncMode::Full));
    box->addItem(tr("Incremental"), int(SyncMode::Incremental));
    if (entity.incremental == IncrementalMode::None) {
        qobject_cast<QStandardItemModel *>(box->model())->item(1)->setEnabled(false);
        box->setItemData(1, tr("Not available: %1 syncs by full refresh only").arg(entity.name),
                         Qt::ToolTipRole);
    } else if (remembered == SyncMode::Incremental) {
        box->setCurrentIndex(1);
    }
    connect(box, &QComboBox::currentIndexChanged, this, &SyncPanel::saveEntityModes);
    return box;
}

void SyncPanel::saveEntityModes()
{
    QVariantMap modes;
    for (auto it = m_entityModes.constBegin(); it != m_entityModes.constEnd(); ++it)
        modes.insert(it.key(), it.value()->currentData().toInt());
    QSettings().setValue(QStringLiteral("sync/entityModes/%1").arg(m_connection.id), modes);
}

void SyncPanel::showEntityModes()
{
    // Two entities a row with their modes (four without), so the window stays as narrow as before.
    const bool perEntity = isModePerEntity();
    const int columns = perEntity ? 2 : 4;
    for (int i = 0; i < m_entityCells.size(); ++i)
        m_entityGrid->addWidget(m_entityCells.at(i), i / columns, i % columns);
    for (QComboBox *box : std::as_const(m_entityModes))
        box->setVisible(perEntity);
}

SyncOptions SyncPanel::chosenOptions() const
{
    SyncOptions options;
    options.entities = selectedEntities();
    options.mode = isModeAvailable(mode()) ? mode() : SyncMode::Full;
    if (isModePerEntity())
        for (const QString &entity : std::as_const(options.entities))
            if (entityMode(entity) != options.mode)
                options.entityModes.insert(entity, entityMode(entity));
    return options;
}

void SyncPanel::setMode(SyncMode mode)
{
    const int index = m_mode->findData(int(mode));
    if (index >= 0 && isModeAvailable(mode))
        m_mode->setCurrentIndex(index);
}

bool SyncPanel::isModeAvailable(SyncMode mode) const
{
    if (mode == SyncMode::Full)
        return true;
    const QStringList selected = selectedEntities();
    if (selected.isEmpty())
        return false;
    for (const QString &name : selected) {
        const EntityInfo *info = m_metadata.entity(name);
        if (!info || info->incremental == IncrementalMode::None)
            return false;
    }
    return true;
}

void SyncPanel::updateModeAvailability()
{
    // Incremental is offered only when every chosen entity can honestly do it.
    auto *model = qobject_cast<QStandardItemModel *>(m_mode->model());
    const bool available = isModeAvailable(SyncMode::Incremental);
    if (model && model->item(1)) {
        model->item(1)->setEnabled(available);
        QStringList fullOnly;
        for (const QString &name : selectedEntities()) {
            const EntityInfo *info = m_metadata.entity(name);
            if (info && info->incremental == IncrementalMode::None)
                fullOnly << (info->label.isEmpty() ? name : info->label);
        }
        model->item(1)->setToolTip(available
                                       ? tr("Fetch only what changed since the last sync.")
                                       : tr("Not available for: %1 (full refresh only)")
                                             .arg(fullOnly.isEmpty() ? tr("no entity chosen")
                                                                     : fullOnly.join(QStringLiteral(", "))));
    }
    if (!available && mode() == SyncMode::Incremental)
        m_mode->setCurrentIndex(0);
}

void SyncPanel::updateControls()
{
    const bool syncing = isSyncing();
    m_syncButton->setEnabled(!syncing && !selectedEntities().isEmpty());
    m_cancelButton->setEnabled(syncing);
    m_mode->setEnabled(!syncing);
    for (QCheckBox *check : std::as_const(m_checks))
        check->setEnabled(!syncing);
    for (QComboBox *box : std::as_const(m_entityModes))
        box->setEnabled(!syncing);
    m_resumeButton->setEnabled(!syncing);
    m_banner->setVisible(!syncing && !m_unfinished.isEmpty());
}

void SyncPanel::setStatus(const QString &text, const QString &status)
{
    m_status->setText(text);
    m_status->setProperty("status", status);
    m_status->setStyleSheet(
        status.isEmpty() ? QString() : QStringLiteral("color: %1;").arg(Format::statusColor(status).name()));
}

QString SyncPanel::statusText() const
{
    return m_status->text();
}

SyncPanel::Row &SyncPanel::row(const QString &entity)
{
    auto it = m_rows.find(entity);
    if (it != m_rows.end())
        return *it;
    Row r;
    // Rows follow the connector's entity order, whenever they are created.
    const QStringList order = m_metadata.entityNames();
    int position = 0;
    while (position < m_tree->topLevelItemCount() &&
           order.indexOf(m_tree->topLevelItem(position)->data(EntityColumn, Qt::UserRole).toString()) <
               order.indexOf(entity))
        ++position;
    r.item = new QTreeWidgetItem;
    r.item->setData(EntityColumn, Qt::UserRole, entity);
    m_tree->insertTopLevelItem(position, r.item);
    const EntityInfo *info = m_metadata.entity(entity);
    r.item->setText(EntityColumn, info && !info->label.isEmpty() ? info->label : entity);
    r.item->setData(EntityColumn, Qt::UserRole, entity);
    for (int c = RecordsColumn; c <= EtaColumn; ++c)
        r.item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
    r.bar = new QProgressBar(m_tree);
    r.bar->setObjectName(QStringLiteral("progress_%1").arg(entity));
    r.bar->setMaximumHeight(m_tree->fontMetrics().height() + 6);
    r.bar->setTextVisible(true);
    m_tree->setItemWidget(r.item, ProgressColumn, r.bar);
    r.last.entity = entity;
    r.sinceUpdate.start();
    return *m_rows.insert(entity, r);
}

void SyncPanel::paintRow(Row &r)
{
    const EntityProgress &p = r.last;
    const bool waiting = p.state == QLatin1String("waiting");
    const bool running = p.state == QLatin1String("running") || waiting;
    // Bar: what is saved, determinate when the source told a total, else busy while running.
    if (p.state == QLatin1String("done") || p.state == QLatin1String("skipped")) {
        r.bar->setRange(0, 1);
        r.bar->setValue(1);
        r.bar->setFormat(p.state == QLatin1String("done") ? tr("Done") : tr("Done earlier"));
    } else if (p.total > 0 && !(p.totalEstimated && p.committed > p.total)) {
        // QProgressBar is int-based: per-mille keeps huge totals exact enough. An estimate (the last full
        // refresh's count) says "≈"; once passed, it says nothing more and the bar is busy instead.
        r.bar->setRange(0, 1000);
        r.bar->setValue(int(qBound(qint64(0), p.committed * 1000 / p.total, qint64(1000))));
        r.bar->setFormat(QStringLiteral("%1%2%")
                             .arg(p.totalEstimated ? QStringLiteral("≈") : QString())
                             .arg(qBound(qint64(0), p.committed * 100 / p.total, qint64(100))));
    } else if (running || p.state == QLatin1String("queued")) {
        r.bar->setRange(0, 0);
        r.bar->setFormat(QString());
    } else {
        r.bar->setRange(0, 1);
        r.bar->setValue(0);
        r.bar->setFormat(p.state.isEmpty() ? QString() : Format::statusLabel(p.state));
    }
    QPalette palette = r.bar->palette();
    const bool finished = p.state == QLatin1String("done") || p.state == QLatin1String("failed") ||
                          p.state == QLatin1String("cancelled") || p.state == QLatin1String("interrupted") ||
                          p.state == QLatin1String("skipped");
    palette.setColor(QPalette::Highlight, finished ? Format::statusColor(p.state)
                                                   : QApplication::palette().color(QPalette::Highlight));
    r.bar->setPalette(palette);

    // Records: what is saved in the catalog; fetched pages still on their way to it are said beside.
    const bool estimatePassed = p.totalEstimated && p.committed > p.total;
    QString records =
        p.total >= 0 && !estimatePassed
            ? QStringLiteral("%1 / %2%3")
                  .arg(Format::count(p.committed), p.totalEstimated ? QStringLiteral("≈") : QString(),
                       Format::count(p.total))
            : Format::count(p.committed);
    if (!running && p.processed > p.committed)
        records += tr(" (%1 fetched)").arg(Format::count(p.processed));
    r.item->setText(RecordsColumn, records);
    r.item->setToolTip(RecordsColumn, tr("%1 fetched, %2 saved in the catalog")
                                          .arg(Format::count(p.processed), Format::count(p.committed)));
    r.item->setText(PagesColumn, Format::count(p.pages));
    r.item->setText(RateColumn, running || p.rate > 0 ? Format::rate(p.rate) : QStringLiteral("—"));
    qint64 elapsed = p.elapsedMs;
    if (running && elapsed >= 0)
        elapsed += r.sinceUpdate.elapsed();
    r.item->setText(ElapsedColumn, p.state.isEmpty() || p.state == QLatin1String("queued")
                                       ? QStringLiteral("—")
                                       : Format::duration(elapsed));
    QString eta = QStringLiteral("—");
    if (running && p.total > 0 && p.rate > 0 && !estimatePassed)
        eta = (p.totalEstimated ? QStringLiteral("≈") : QString()) +
              Format::duration(qint64(qMax<qint64>(0, p.total - p.committed) / p.rate * 1000));
    r.item->setText(EtaColumn, eta);
    QString state = p.state;
    if (waiting) {
        // "Waiting 0:42 — rate limit (HTTP 429)", counting down
        const qint64 left = qMax<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(p.waitUntil));
        state = tr("Waiting %1 — %2")
                    .arg(QStringLiteral("%1:%2")
                             .arg(left / 60000)
                             .arg((left / 1000) % 60, 2, 10, QLatin1Char('0')),
                         p.waitReason);
    } else if (p.resumed && running)
        state = tr("running (resumed)");
    else if (p.state == QLatin1String("skipped"))
        state = tr("skipped (done in the run this one continues)");
    r.item->setText(StateColumn, state);
    r.item->setData(StateColumn, Qt::UserRole, p.state);
    r.item->setForeground(StateColumn, Format::statusColor(p.state));
    r.item->setToolTip(StateColumn, p.error);
    r.item->setToolTip(EntityColumn, p.error);
}

void SyncPanel::showStoredStates()
{
    // Before any sync in this session: where each entity stands in the catalog.
    if (!m_catalog)
        return;
    const QList<EntityState> states = m_catalog->entityStates(m_connection.id);
    for (const EntityState &state : states) {
        if (!m_metadata.entity(state.entity))
            continue;
        Row &r = row(state.entity);
        r.last.state = state.isUnfinished() && state.status == QLatin1String("running")
                           ? QStringLiteral("interrupted")
                           : state.status;
        r.last.processed = state.state.totalProcessed;
        r.last.committed = state.state.totalProcessed;
        r.last.total = state.isUnfinished() ? state.state.total : -1;
        r.last.pages = state.state.page;
        r.last.runId = state.runId;
        r.last.elapsedMs = -1; // not timed in this session
        paintRow(r);
        r.item->setToolTip(StateColumn, tr("Last updated %1").arg(Format::dateTime(state.updatedAt)));
    }
}

void SyncPanel::refreshInterrupted()
{
    const bool before = hasInterruptedSync();
    m_unfinished.clear();
    m_unfinishedModes.clear();
    QStringList parts;
    bool failed = false;
    bool crashed = false;
    if (m_catalog) {
        QList<EntityState> states = m_catalog->entityStates(m_connection.id);
        const QStringList order = m_metadata.entityNames();
        std::sort(states.begin(), states.end(), [&order](const EntityState &a, const EntityState &b) {
            return order.indexOf(a.entity) < order.indexOf(b.entity);
        });
        for (const EntityState &state : std::as_const(states)) {
            if (!state.isUnfinished())
                continue;
            m_unfinished << state.entity;
            m_unfinishedModes.insert(state.entity, state.mode);
            failed = failed || state.status == QLatin1String("failed");
            crashed = crashed || state.status != QLatin1String("cancelled");
            const EntityInfo *info = m_metadata.entity(state.entity);
            parts << tr("%1 (%2 saved)")
                         .arg(info && !info->label.isEmpty() ? info->label : state.entity,
                              Format::count(state.state.totalProcessed));
        }
    }
    m_bannerText->setText(
        tr("<b>%1</b> before it finished: %2.<br>Resume continues from the last saved page; "
           "nothing saved is fetched again, and entities that run finished are skipped.")
            .arg(failed    ? tr("The last sync failed")
                 : crashed ? tr("The last sync was interrupted")
                           : tr("The last sync was cancelled"),
                 parts.join(QStringLiteral(", "))));
    m_resumeButton->setText(m_unfinished.size() == 1 ? tr("Resume")
                                                     : tr("Resume %1 entities").arg(m_unfinished.size()));
    updateControls();
    if (before != hasInterruptedSync())
        emit interruptedChanged(hasInterruptedSync());
}

bool SyncPanel::startSync()
{
    if (isSyncing())
        return false;
    const SyncOptions options = chosenOptions();
    if (options.entities.isEmpty()) {
        setStatus(tr("Check at least one entity to sync."), QStringLiteral("failed"));
        return false;
    }
    QString error;
    // Rows first, so "queued" shows at once; the engine then reports each entity as it runs. What they
    // showed is kept, to be put back if the sync cannot start (another process syncs this connection).
    QHash<QString, EntityProgress> shown;
    for (const QString &entity : options.entities) {
        if (m_rows.contains(entity))
            shown.insert(entity, m_rows.value(entity).last);
        Row &r = row(entity);
        r.last = EntityProgress();
        r.last.entity = entity;
        r.last.state = QStringLiteral("queued");
        r.sinceUpdate.restart();
        paintRow(r);
    }
    SyncJob *job = m_engine->startSync(m_connection, options, &error);
    if (!job) {
        for (const QString &entity : options.entities) {
            if (shown.contains(entity)) {
                Row &r = row(entity);
                r.last = shown.value(entity);
                paintRow(r);
            } else {
                delete m_rows.take(entity).item;
            }
        }
        setStatus(tr("Could not start the sync: %1").arg(error), QStringLiteral("failed"));
        return false;
    }
    QStringList what;
    for (const QString &entity : options.entities)
        what << (options.entityModes.isEmpty()
                     ? entity
                     : tr("%1 (%2)").arg(entity, options.modeOf(entity) == SyncMode::Full
                                                     ? tr("full")
                                                     : tr("incremental")));
    const QString kind = !options.entityModes.isEmpty()   ? QString()
                         : options.mode == SyncMode::Full ? tr("full ")
                                                          : tr("incremental ");
    m_log->appendPlainText(QStringLiteral("%1  —  %2 %3sync of %4")
                               .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                    m_resuming ? tr("Resuming the") : tr("Starting a"), kind,
                                    what.join(QStringLiteral(", "))));
    attach(job);
    return true;
}

bool SyncPanel::resume()
{
    if (isSyncing() || m_unfinished.isEmpty())
        return false;
    // The same entities and mode as the sync that stopped: the engine continues from their saved state.
    setSelectedEntities(m_unfinished);
    updateModeAvailability();
    const QStringList modes(m_unfinishedModes.cbegin(), m_unfinishedModes.cend());
    if (modes.count(modes.value(0)) != modes.size()) { // they differed: each entity as it was
        setModePerEntity(true);
        for (auto it = m_unfinishedModes.constBegin(); it != m_unfinishedModes.constEnd(); ++it)
            setEntityMode(it.key(), it.value() == QLatin1String("incremental") ? SyncMode::Incremental
                                                                               : SyncMode::Full);
    } else {
        setMode(modes.value(0) == QLatin1String("incremental") ? SyncMode::Incremental : SyncMode::Full);
    }
    m_resuming = true;
    const bool started = startSync();
    m_resuming = false;
    return started;
}

void SyncPanel::cancelSync()
{
    if (!m_job)
        return;
    m_job->cancel(); // thread-safe; workers stop after aborting their request in flight
    m_cancelButton->setEnabled(false);
    setStatus(tr("Cancelling… (the records saved so far are kept)"), QStringLiteral("cancelled"));
}

void SyncPanel::attach(SyncJob *job)
{
    if (!job || job == m_job)
        return;
    m_job = job;
    connect(job, &SyncJob::progress, this, &SyncPanel::showProgress);
    connect(job, &SyncJob::logMessage, this,
            [this](const QString &entity, const QString &level, const QString &message) {
                m_pendingLog << QStringLiteral("%1  %2  %3  %4")
                                    .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                         level.toUpper().leftJustified(5),
                                         entity.isEmpty() ? QStringLiteral("-") : entity, message);
                if (!m_logTimer->isActive())
                    m_logTimer->start();
            });
    connect(job, &SyncJob::finished, this, &SyncPanel::onFinished);
    m_unfinished.clear();
    m_tickTimer->start();
    setStatus(
        tr("Syncing… Every page is saved as it arrives: Cancel or closing the app keeps what was saved."),
        QStringLiteral("running"));
    updateControls();
    emit syncStarted();
}

void SyncPanel::showProgress(const EntityProgress &progress)
{
    Row &r = row(progress.entity);
    r.last = progress;
    r.sinceUpdate.restart();
    paintRow(r);
    emit progressChanged();
}

void SyncPanel::flushLog()
{
    if (m_pendingLog.isEmpty()) {
        m_logTimer->stop();
        return;
    }
    const bool atBottom = m_log->verticalScrollBar()->value() >= m_log->verticalScrollBar()->maximum() - 2;
    m_log->appendPlainText(m_pendingLog.join(QLatin1Char('\n')));
    m_pendingLog.clear();
    if (atBottom)
        m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
}

void SyncPanel::onFinished(const RunSummary &summary)
{
    flushLog();
    m_tickTimer->stop();
    m_job.clear();
    // Rows the engine did not close itself take the run's outcome.
    for (Row &r : m_rows) {
        if (isActive(r.last.state)) {
            r.last.state = summary.status;
            paintRow(r);
        }
    }
    qint64 records = 0;
    for (auto it = summary.processed.constBegin(); it != summary.processed.constEnd(); ++it)
        records += it.value();
    const QString counts =
        tr("%1 records saved in %2").arg(Format::count(records), Format::duration(summary.elapsedMs));
    if (summary.status == QLatin1String("done"))
        setStatus(tr("Sync done: %1.").arg(counts), summary.status);
    else if (summary.status == QLatin1String("cancelled"))
        setStatus(
            tr("Sync cancelled: %1. Saved records are kept; Resume continues where it stopped.").arg(counts),
            summary.status);
    else
        setStatus(tr("%1: %2. This run saved %3 records, all kept; %4.")
                      .arg(summary.status == QLatin1String("partial") ? tr("Sync partly failed")
                                                                      : tr("Sync failed"),
                           summary.error.isEmpty() ? tr("see the log") : summary.error,
                           Format::count(records), nextStep(summary.failure)),
                  summary.status);
    m_log->appendPlainText(
        QStringLiteral("%1  —  %2 (%3)")
            .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), summary.status, counts));
    refreshInterrupted();
    updateControls();
    if (m_entitiesStale)
        refreshEntities();
    emit syncFinished(summary);
}

QString SyncPanel::rowState(const QString &entity) const
{
    const auto it = m_rows.constFind(entity);
    return it == m_rows.constEnd() ? QString() : it->last.state;
}

qint64 SyncPanel::rowProcessed(const QString &entity) const
{
    const auto it = m_rows.constFind(entity);
    return it == m_rows.constEnd() ? -1 : it->last.processed;
}

qint64 SyncPanel::rowCommitted(const QString &entity) const
{
    const auto it = m_rows.constFind(entity);
    return it == m_rows.constEnd() ? -1 : it->last.committed;
}

QProgressBar *SyncPanel::rowBar(const QString &entity) const
{
    const auto it = m_rows.constFind(entity);
    return it == m_rows.constEnd() ? nullptr : it->bar;
}

QString SyncPanel::progressSummary() const
{
    QStringList parts;
    int more = 0;
    for (const EntityInfo &entity : m_metadata.entities) {
        const auto it = m_rows.constFind(entity.name);
        if (it == m_rows.constEnd() || it->last.state != QLatin1String("running"))
            continue;
        if (parts.size() == 3) {
            ++more;
            continue;
        }
        const EntityProgress &p = it->last;
        // "≈": the total is an estimate (the file's size, the last full refresh); past it, just the count.
        parts << (p.total > 0 && p.committed <= p.total
                      ? QStringLiteral("%1 %2%3%")
                            .arg(entity.name, p.totalEstimated ? QStringLiteral("≈") : QString())
                            .arg(p.committed * 100 / p.total)
                      : QStringLiteral("%1 %2").arg(entity.name, Format::count(p.committed)));
    }
    if (more > 0)
        parts << tr("%1 more").arg(more);
    return parts.join(QStringLiteral(", "));
}
