// SVG icons rendered by QSvgRenderer at the exact device-pixel size asked for, so they stay crisp at any
// devicePixelRatio. Monochrome UI icons use stroke="currentColor", which is replaced at render time by the
// palette's text colour: they follow light and dark themes. GUI thread only (QPixmap).
#pragma once

#include <QByteArray>
#include <QColor>
#include <QHash>
#include <QIcon>
#include <QIconEngine>
#include <QPixmap>
#include <QString>

class SvgIconEngine : public QIconEngine
{
public:
    // `tinted`: replace "currentColor" with the palette colour for the icon mode (UI glyphs); brand icons
    // (connectors, the app) keep their own colours.
    SvgIconEngine(const QString &path, bool tinted, const QColor &fixedColor = QColor());

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override;
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override;
    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state, qreal scale) override;
    QSize actualSize(const QSize &size, QIcon::Mode mode, QIcon::State state) override;
    QIconEngine *clone() const override;
    QString key() const override { return QStringLiteral("MakoSvgIconEngine"); }
    bool isNull() override { return m_data.isEmpty(); }

private:
    QByteArray dataFor(QIcon::Mode mode) const;

    QString m_path;
    QByteArray m_data;
    bool m_tinted = false;
    QColor m_fixedColor;             // tint with this instead of the palette (status glyphs)
    QHash<QString, QPixmap> m_cache; // "w x h @ scale / mode / colour"
};

namespace Icons {
// A UI glyph from ":/ui/icons/<name>.svg", tinted to the palette.
QIcon ui(const QString &name);
// A UI glyph in a fixed colour (green tick, red cross).
QIcon ui(const QString &name, const QColor &color);
// A connector's icon (its resource path), falling back to the generic connector icon when missing.
QIcon connector(const QString &iconPath);
QIcon app();
} // namespace Icons
