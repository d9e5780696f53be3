#include "connectorcatalogpage.h"
#include "searchfield.h"

#include "connectorlistmodel.h"
#include "connectorregistry.h"
#include "format.h"
#include "iconwidget.h"
#include "svgicon.h"

#include <QApplication>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

// Draws a connector as a card (tile mode) or a two-line row (list mode) with its icon on a light tile.
class ConnectorDelegate : public QStyledItemDelegate
{
public:
    explicit ConnectorDelegate(QListView *view)
        : QStyledItemDelegate(view)
        , m_view(view)
    {
    }

    bool tiles() const { return m_view->viewMode() == QListView::IconMode; }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        const int line = option.fontMetrics.height();
        if (tiles())
            return {220, 64 + 5 * line};
        return {300, qMax(48, 2 * line + 16)};
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        const QPalette &palette = option.palette;
        const bool selected = option.state & QStyle::State_Selected;
        const bool hovered = option.state & QStyle::State_MouseOver;
        const QIcon icon = index.data(Qt::DecorationRole).value<QIcon>();
        const QString name = index.data(Qt::DisplayRole).toString();
        const QString description = index.data(ConnectorListModel::DescriptionRole).toString();
        const int entities = index.data(ConnectorListModel::EntityCountRole).toInt();
        const QString meta = QStringLiteral("v%1 · %2")
                                 .arg(index.data(ConnectorListModel::VersionRole).toString(),
                                      entities == 0 ? QObject::tr("custom entities")
                                                    : Format::plural(entities, QObject::tr("entity"),
                                                                     QObject::tr("entities")));
        QFont bold = option.font;
        bold.setBold(true);
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.9);
        const QColor dim = Format::dimText(palette);

        if (tiles()) {
            const QRect card = option.rect.adjusted(6, 6, -6, -6);
            painter->setPen(QPen(selected ? palette.color(QPalette::Highlight)
                                          : palette.color(hovered ? QPalette::Dark : QPalette::Mid),
                                 selected ? 2 : 1));
            painter->setBrush(palette.color(QPalette::Base));
            painter->drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8);
            const QRect iconRect(card.left() + 12, card.top() + 12, 44, 44);
            IconWidget::paintTile(painter, iconRect, icon);
            const int textLeft = iconRect.right() + 10;
            painter->setPen(palette.color(QPalette::Text));
            painter->setFont(bold);
            const QFontMetrics boldMetrics(bold);
            painter->drawText(
                QRect(textLeft, iconRect.top() + 4, card.right() - textLeft - 8, boldMetrics.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                boldMetrics.elidedText(name, Qt::ElideRight, card.right() - textLeft - 8));
            painter->setFont(small);
            painter->setPen(dim);
            painter->drawText(QRect(textLeft, iconRect.top() + 6 + boldMetrics.height(),
                                    card.right() - textLeft - 8, QFontMetrics(small).height()),
                              Qt::AlignLeft | Qt::AlignVCenter, meta);
            painter->setPen(palette.color(QPalette::Text));
            const QRect descRect(card.left() + 12, iconRect.bottom() + 8, card.width() - 24,
                                 card.bottom() - iconRect.bottom() - 14);
            painter->drawText(descRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                              elideLines(description, small, descRect));
        } else {
            if (selected)
                painter->fillRect(option.rect, palette.color(QPalette::Highlight));
            else if (hovered)
                painter->fillRect(option.rect, palette.color(QPalette::AlternateBase));
            const QRect iconRect(option.rect.left() + 8, option.rect.center().y() - 16, 32, 32);
            IconWidget::paintTile(painter, iconRect, icon);
            const int textLeft = iconRect.right() + 10;
            const int width = option.rect.right() - textLeft - 8;
            const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
            painter->setPen(text);
            painter->setFont(bold);
            const QFontMetrics boldMetrics(bold);
            const QString title = QStringLiteral("%1   ").arg(name);
            painter->drawText(QRect(textLeft, option.rect.top() + 6, width, boldMetrics.height()),
                              Qt::AlignLeft | Qt::AlignVCenter, title);
            painter->setFont(small);
            painter->setPen(selected ? text : dim);
            painter->drawText(QRect(textLeft + boldMetrics.horizontalAdvance(title), option.rect.top() + 6,
                                    width - boldMetrics.horizontalAdvance(title), boldMetrics.height()),
                              Qt::AlignLeft | Qt::AlignVCenter, meta);
            painter->setPen(text);
            const QFontMetrics smallMetrics(small);
            painter->drawText(
                QRect(textLeft, option.rect.top() + 8 + boldMetrics.height(), width, smallMetrics.height()),
                Qt::AlignLeft | Qt::AlignVCenter,
                smallMetrics.elidedText(description, Qt::ElideRight, width));
        }
        if (option.state & QStyle::State_HasFocus && !tiles()) {
            painter->setPen(QPen(palette.color(QPalette::Highlight), 1, Qt::DotLine));
            painter->setBrush(Qt::NoBrush);
            painter->drawRect(option.rect.adjusted(0, 0, -1, -1));
        }
        painter->restore();
    }

private:
    static QString elideLines(const QString &text, const QFont &font, const QRect &rect)
    {
        // Word-wrapped text cut to the lines that fit, the last one elided.
        const QFontMetrics metrics(font);
        const int maxLines = qMax(1, rect.height() / metrics.lineSpacing());
        static const QRegularExpression whitespace(QStringLiteral("\\s+"));
        const QStringList words = text.split(whitespace, Qt::SkipEmptyParts);
        QStringList lines;
        QString current;
        for (const QString &word : words) {
            const QString candidate = current.isEmpty() ? word : current + QLatin1Char(' ') + word;
            if (metrics.horizontalAdvance(candidate) <=
                rect.width() - 6) { // margin: drawText must not re-wrap
                current = candidate;
                continue;
            }
            lines << current;
            current = word;
            if (lines.size() == maxLines)
                break;
        }
        if (lines.size() < maxLines && !current.isEmpty())
            lines << current;
        else if (lines.size() == maxLines)
            lines.last() =
                metrics.elidedText(lines.last() + QStringLiteral(" …"), Qt::ElideRight, rect.width());
        return lines.join(QLatin1Char('\n'));
    }

    QListView *m_view;
};

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->setContentsMargins(0, 10, 0, 2);
    return label;
}

} // namespace

ConnectorCatalogPage::ConnectorCatalogPage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("connectorCatalogPage"));
    m_model = new ConnectorListModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(ConnectorListModel::SearchTextRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    auto *title = new QLabel(tr("Connectors"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title->setFont(titleFont);
    top->addWidget(title);
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("connectorCount"));
    top->addWidget(m_countLabel);
    top->addStretch(1);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("connectorSearch"));
    m_search->setPlaceholderText(tr("Search connectors, entities…"));
    m_search->setClearButtonEnabled(true);
    clearOnEscape(m_search);
    m_search->addAction(Icons::ui(QStringLiteral("search")), QLineEdit::LeadingPosition);
    m_search->setMinimumWidth(260);
    top->addWidget(m_search);
    m_tilesButton = new QToolButton(this);
    m_tilesButton->setObjectName(QStringLiteral("tilesButton"));
    m_tilesButton->setIcon(Icons::ui(QStringLiteral("connectors")));
    m_tilesButton->setToolTip(tr("Show as tiles"));
    m_tilesButton->setCheckable(true);
    m_tilesButton->setAutoRaise(true);
    m_listButton = new QToolButton(this);
    m_listButton->setObjectName(QStringLiteral("listButton"));
    m_listButton->setIcon(Icons::ui(QStringLiteral("list")));
    m_listButton->setToolTip(tr("Show as a list"));
    m_listButton->setCheckable(true);
    m_listButton->setAutoRaise(true);
    top->addWidget(m_tilesButton);
    top->addWidget(m_listButton);
    layout->addLayout(top);

    // Manifests that could not be loaded: said once, dismissible; the rest of the catalog works.
    m_problemBanner = new QFrame(this);
    m_problemBanner->setObjectName(QStringLiteral("manifestProblemBanner"));
    m_problemBanner->setFrameShape(QFrame::StyledPanel);
    m_problemBanner->setStyleSheet(
        QStringLiteral("#manifestProblemBanner { background: #fff4e0; border: 1px solid #e0a040; "
                       "border-radius: 4px; } #manifestProblemBanner QLabel { color: #5a3b00; }"));
    auto *bannerLayout = new QHBoxLayout(m_problemBanner);
    auto *bannerIcon = new QLabel(m_problemBanner);
    bannerIcon->setPixmap(Icons::ui(QStringLiteral("warning"), QColor(0xb2, 0x6a, 0x00))
                              .pixmap(QSize(20, 20), devicePixelRatioF()));
    bannerLayout->addWidget(bannerIcon, 0, Qt::AlignTop);
    m_problemText = new QLabel(m_problemBanner);
    m_problemText->setObjectName(QStringLiteral("manifestProblemText"));
    m_problemText->setWordWrap(true);
    m_problemText->setTextFormat(Qt::RichText);
    m_problemText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerLayout->addWidget(m_problemText, 1);
    auto *dismiss = new QToolButton(m_problemBanner);
    dismiss->setObjectName(QStringLiteral("dismissManifestProblems"));
    dismiss->setText(tr("Dismiss"));
    dismiss->setToolTip(tr("Hide this message until the next start"));
    dismiss->setAutoRaise(true);
    bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
    connect(dismiss, &QToolButton::clicked, m_problemBanner, &QWidget::hide);
    m_problemBanner->hide();
    layout->addWidget(m_problemBanner);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("catalogSplitter"));
    splitter->setChildrenCollapsible(false);
    m_view = new QListView(splitter);
    m_view->setObjectName(QStringLiteral("connectorView"));
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new ConnectorDelegate(m_view));
    m_view->setMouseTracking(true);
    m_view->setUniformItemSizes(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setMinimumWidth(260);

    // Details of the selected connector.
    auto *scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_details = new QWidget(scroll);
    m_details->setObjectName(QStringLiteral("connectorDetails"));
    auto *details = new QVBoxLayout(m_details);
    details->setContentsMargins(16, 4, 8, 8);
    auto *head = new QHBoxLayout;
    m_detailIcon = new IconWidget(64, true, m_details);
    m_detailIcon->setObjectName(QStringLiteral("connectorDetailIcon"));
    head->addWidget(m_detailIcon, 0, Qt::AlignTop);
    auto *headText = new QVBoxLayout;
    m_detailTitle = new QLabel(m_details);
    m_detailTitle->setObjectName(QStringLiteral("connectorDetailTitle"));
    QFont detailFont = m_detailTitle->font();
    detailFont.setPointSizeF(detailFont.pointSizeF() * 1.5);
    detailFont.setBold(true);
    m_detailTitle->setFont(detailFont);
    m_detailMeta = new QLabel(m_details);
    m_detailMeta->setTextInteractionFlags(Qt::TextSelectableByMouse);
    headText->addWidget(m_detailTitle);
    headText->addWidget(m_detailMeta);
    headText->addStretch(1);
    head->addLayout(headText, 1);
    m_addButton = new QPushButton(Icons::ui(QStringLiteral("add")), tr("Add connection…"), m_details);
    m_addButton->setObjectName(QStringLiteral("addConnectionButton"));
    m_addButton->setDefault(true);
    m_addButton->setToolTip(tr("Set up a connection to this source (Ctrl+N)"));
    head->addWidget(m_addButton, 0, Qt::AlignTop);
    details->addLayout(head);

    m_detailDescription = new QLabel(m_details);
    m_detailDescription->setObjectName(QStringLiteral("connectorDescription"));
    m_detailDescription->setWordWrap(true);
    m_detailDescription->setContentsMargins(0, 8, 0, 0);
    details->addWidget(m_detailDescription);

    details->addWidget(sectionLabel(tr("Capabilities"), m_details));
    m_detailCapabilities = new QLabel(m_details);
    m_detailCapabilities->setObjectName(QStringLiteral("connectorCapabilities"));
    m_detailCapabilities->setWordWrap(true);
    m_detailCapabilities->setTextFormat(Qt::RichText);
    details->addWidget(m_detailCapabilities);

    m_entitiesHeading = sectionLabel(tr("Entities"), m_details);
    details->addWidget(m_entitiesHeading);
    m_entities = new QTreeWidget(m_details);
    m_entities->setObjectName(QStringLiteral("connectorEntities"));
    m_entities->setHeaderLabels({tr("Entity"), tr("Name in catalog"), tr("Key"), tr("Sync modes")});
    m_entities->setRootIsDecorated(false);
    m_entities->setAlternatingRowColors(true);
    m_entities->setSelectionMode(QAbstractItemView::NoSelection);
    m_entities->header()->setStretchLastSection(true);
    m_entities->setMinimumHeight(150);
    details->addWidget(m_entities);
    m_entitiesNote = new QLabel(m_details);
    m_entitiesNote->setObjectName(QStringLiteral("connectorEntitiesNote"));
    m_entitiesNote->setWordWrap(true);
    details->addWidget(m_entitiesNote);

    details->addWidget(sectionLabel(tr("Settings asked for"), m_details));
    m_detailConfig = new QLabel(m_details);
    m_detailConfig->setObjectName(QStringLiteral("connectorConfigSummary"));
    m_detailConfig->setWordWrap(true);
    m_detailConfig->setTextFormat(Qt::RichText);
    m_detailConfig->setOpenExternalLinks(true);
    details->addWidget(m_detailConfig);

    m_emptyDetails = new QLabel(tr("No connector matches the search."), m_details);
    m_emptyDetails->setAlignment(Qt::AlignCenter);
    details->addWidget(m_emptyDetails);
    details->addStretch(1);
    scroll->setWidget(m_details);

    splitter->addWidget(m_view);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 4);
    layout->addWidget(splitter, 1);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text.trimmed());
        if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->index(0, 0));
        showDetails();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        showDetails();
        emit currentConnectorChanged(currentConnectorId());
    });
    connect(m_view, &QListView::activated, this, [this](const QModelIndex &index) {
        emit addConnectionRequested(index.data(ConnectorListModel::IdRole).toString());
    });
    connect(m_addButton, &QPushButton::clicked, this, [this] {
        const QString id = currentConnectorId();
        if (!id.isEmpty())
            emit addConnectionRequested(id);
    });
    connect(m_tilesButton, &QToolButton::clicked, this, [this] { setTileMode(true); });
    connect(m_listButton, &QToolButton::clicked, this, [this] { setTileMode(false); });

    setTileMode(true);
    if (m_proxy->rowCount() > 0)
        m_view->setCurrentIndex(m_proxy->index(0, 0));
    showDetails();
}

void ConnectorCatalogPage::setTileMode(bool tiles)
{
    m_view->setViewMode(tiles ? QListView::IconMode : QListView::ListMode);
    m_view->setFlow(tiles ? QListView::LeftToRight : QListView::TopToBottom);
    m_view->setWrapping(tiles);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setSpacing(tiles ? 2 : 0);
    m_tilesButton->setChecked(tiles);
    m_listButton->setChecked(!tiles);
    m_view->doItemsLayout();
}

bool ConnectorCatalogPage::isTileMode() const
{
    return m_view->viewMode() == QListView::IconMode;
}

void ConnectorCatalogPage::focusSearch()
{
    m_search->setFocus();
    m_search->selectAll();
}

QString ConnectorCatalogPage::currentConnectorId() const
{
    return m_view->currentIndex().data(ConnectorListModel::IdRole).toString();
}

void ConnectorCatalogPage::selectConnector(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (index.isValid())
        m_view->setCurrentIndex(index);
}

void ConnectorCatalogPage::setManifestProblems(const QStringList &problems)
{
    m_manifestProblems = problems;
    // One manifest can have several problems ("file: field: reason"): count the files.
    QStringList files;
    QStringList lines;
    for (const QString &problem : problems) {
        const QString file = problem.section(QStringLiteral(": "), 0, 0);
        if (!files.contains(file))
            files << file;
        lines << problem.toHtmlEscaped();
    }
    const QString what =
        files.size() == 1 ? tr("A connector manifest could not be loaded and is left out of the catalog")
                          : tr("%1 connector manifests could not be loaded and are left out of the catalog")
                                .arg(files.size());
    m_problemText->setText(tr("<b>%1</b>; the other connectors work.<br>%2")
                               .arg(what.toHtmlEscaped(), lines.join(QStringLiteral("<br>"))));
    m_problemBanner->setVisible(!problems.isEmpty());
}

void ConnectorCatalogPage::showDetails()
{
    const int shown = m_proxy->rowCount();
    const int total = m_model->rowCount();
    m_countLabel->setText(shown == total ? tr("%1 available").arg(total)
                                         : tr("%1 of %2 shown").arg(shown).arg(total));

    QModelIndex current = m_view->currentIndex();
    if (!current.isValid() && shown > 0)
        current = m_proxy->index(0, 0);
    const ConnectorMetadata *m =
        current.isValid() ? m_model->metadataAt(m_proxy->mapToSource(current).row()) : nullptr;
    const bool has = m != nullptr;
    for (QWidget *w : m_details->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly))
        w->setVisible(has);
    m_emptyDetails->setVisible(!has);
    if (!has)
        return;

    m_detailIcon->setIcon(current.data(Qt::DecorationRole).value<QIcon>());
    m_detailTitle->setText(m->name);
    m_detailMeta->setText(tr("Version %1 · id “%2”").arg(m->version, m->id));
    m_detailDescription->setText(m->description);

    QStringList capabilities;
    capabilities << (m->resumable ? tr("✔ Resumable: an interrupted sync continues from the last saved page")
                                  : tr("✘ Not resumable: an interrupted sync starts over"));
    int incremental = 0;
    for (const EntityInfo &entity : m->entities)
        if (entity.incremental != IncrementalMode::None)
            ++incremental;
    capabilities << tr("✔ Full refresh for every entity (old records stay until the refresh completes)");
    // Connectors without a fixed entity list say so under "Entities" instead.
    if (!m->entities.isEmpty() && incremental > 0)
        capabilities
            << tr("✔ Incremental sync for %1 of %2 entities").arg(incremental).arg(m->entities.size());
    else if (!m->entities.isEmpty())
        capabilities << tr("✘ No incremental sync (every sync is a full refresh)");
    m_detailCapabilities->setText(capabilities.join(QStringLiteral("<br>")));

    m_entities->clear();
    m_entities->setVisible(!m->entities.isEmpty());
    // GraphQL queries, file globs…: the list exists only once a connection says what to sync.
    const bool fromConfig = bool(m->configEntities);
    m_entitiesHeading->setVisible(!m->entities.isEmpty());
    m_entitiesNote->setVisible(fromConfig || m->entities.isEmpty());
    m_entitiesNote->setText(m->entities.isEmpty()
                                ? tr("<b>Entities:</b> defined by each connection's settings.")
                                : tr("More entities can be defined by each connection's settings."));
    m_entitiesNote->setTextFormat(Qt::RichText);
    for (const EntityInfo &entity : m->entities) {
        auto *item = new QTreeWidgetItem(m_entities);
        item->setText(0, entity.label.isEmpty() ? entity.name : entity.label);
        item->setText(1, entity.name);
        item->setText(2, entity.primaryKey);
        QString modes = tr("Full refresh");
        if (entity.incremental != IncrementalMode::None)
            modes += QStringLiteral(", ") + Format::incrementalMode(entity.incremental).toLower();
        item->setText(3, modes);
        const QString tip =
            (entity.description.isEmpty() ? QString() : entity.description + QLatin1Char('\n')) +
            Format::incrementalModeHelp(entity.incremental);
        for (int c = 0; c < 4; ++c)
            item->setToolTip(c, tip);
    }
    for (int c = 0; c < 3; ++c)
        m_entities->resizeColumnToContents(c);
    // Tall enough for every entity without a scroll bar (up to a point), no taller.
    m_entities->doItemsLayout();
    int rowHeight = m_entities->topLevelItemCount()
                        ? m_entities->visualItemRect(m_entities->topLevelItem(0)).height()
                        : 0;
    if (rowHeight <= 0)
        rowHeight = m_entities->fontMetrics().height() + 4;
    m_entities->setFixedHeight(m_entities->header()->sizeHint().height() + 2 * m_entities->frameWidth() + 4 +
                               rowHeight * qMin(int(m->entities.size()), 14));

    QStringList fields;
    for (const ConfigField &field : m->config) {
        if (field.advanced)
            continue;
        fields << QStringLiteral("<b>%1</b>%2 — %3")
                      .arg((field.label.isEmpty() ? field.name : field.label).toHtmlEscaped(),
                           field.required ? QStringLiteral(" <span style=\"color:#c62828\">*</span>")
                                          : QString(),
                           field.help.toHtmlEscaped());
    }
    QString config = fields.isEmpty()
                         ? tr("Nothing required: it works without credentials (optional settings are "
                              "under Advanced).")
                         : fields.join(QStringLiteral("<br>"));
    if (!m->documentationUrl.isEmpty())
        config += QStringLiteral("<br><br><a href=\"%1\">%2</a>")
                      .arg(m->documentationUrl.toHtmlEscaped(), tr("Connector documentation"));
    m_detailConfig->setText(config);
}
