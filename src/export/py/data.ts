// data.py: the file's data source (shapes, idx, npz, folder) read the way CNN Studio's data layer reads it.

import type { ModelSpec } from '../../language/model';
import { SHAPES_DEFAULT_SAMPLES } from '../../language/model';
import { pyLit } from './common';

export interface DataConfig {
  kind: 'shapes' | 'idx' | 'npz' | 'folder' | null;
  /** The path as the .cnn file writes it (relative to the .cnn file). */
  written: string | null;
  /** The path relative to the package folder (or absolute when no relative path exists). */
  path: string | null;
  samples: number | null;
  val: number | null;
}

export function dataConfig(spec: ModelSpec, relFromPackage: (p: string) => string): DataConfig {
  const d = spec.data;
  if (!d) return { kind: null, written: null, path: null, samples: null, val: null };
  if (d.kind === 'shapes') return { kind: 'shapes', written: null, path: null, samples: d.samples ?? SHAPES_DEFAULT_SAMPLES, val: d.val };
  return { kind: d.kind, written: d.path, path: relFromPackage(d.path), samples: d.samples, val: d.val };
}

export function dataPy(spec: ModelSpec, cfg: DataConfig): string {
  const { h, w, c } = spec.input;
  const header = String.raw`"""Training data for ${spec.name.replace(/"/g, "'")}, read as CNN Studio's data layer reads the file's "data" line.

Sources (paths are relative to the .cnn file; DATA["path"] below is the same place relative to this folder):
  shapes    door / stair / sign drawings generated on the fly. This is a numpy re-implementation of CNN Studio's
            generator: the same kind of pictures (random position, size, slight rotation, colours, outline or
            filled, clutter and noise), drawn from numpy's random generator, so the exact images differ from the
            built-in engine's. Labels cycle door, stair, sign (index mod 3), so the classes are balanced.
  idx       MNIST's IDX files in a folder: train-images-idx3-ubyte / train-labels-idx1-ubyte and the t10k- pair,
            each possibly gzipped (.gz). t10k is the validation split when both pairs exist.
  npz       MedMNIST's .npz keys train_images, train_labels, val_images, ... (val_, else test_, is the
            validation split). uint8 pixels become [0, 1]; float pixels are used as they are.
  folder    one sub-folder of PNG/JPEG images per class (sorted names are the classes); needs Pillow. Images are
            converted to the model's channels and resized to its input (box filter when shrinking, bilinear
            when enlarging).

Validation split, as in CNN Studio: a fraction of 0 means none; else the source's own split when it has one;
else a seeded random fraction (train val=, else data ... val=, else 0.1) of the training pool. samples= on
idx/npz/folder keeps a seeded random subset of the training pool. The random choices use numpy's generator,
so which samples are held out differs from the built-in engine's choice (the sizes are the same).

Every dataset item is (image, label): image H×W×C float32 (channels last, as CNN Studio holds images),
label an int. collate() stacks a batch and turns it into the N×C×H×W tensor the model takes.
"""

import gzip
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# The file's data statement. "path" is relative to this package's folder (the .cnn file says ${JSON.stringify(cfg.written ?? '')}).
DATA = ${pyLit({ kind: cfg.kind, path: cfg.path, samples: cfg.samples, val: cfg.val })}
# The model's input as the .cnn file writes it: height, width, channels.
INPUT = (${h}, ${w}, ${c})
CLASSES = ${pyLit(spec.classes)}
DEFAULT_VAL_FRACTION = 0.1
SHAPES_CLASSES = ["door", "stair", "sign"]
`;
  return header + DATA_BODY;
}

const DATA_BODY = String.raw`

class DataError(Exception):
    """A data source that cannot be used (CNN Studio reports these as E040)."""


# ----------------------------------------------------------------------------------------------- datasets


class ArrayDataset:
    """Images N×H×W×C (uint8 scaled to [0, 1], or float) and integer labels, all in memory."""

    def __init__(self, images, labels, class_names):
        if images.ndim == 3:
            images = images[:, :, :, None]  # N×H×W: one channel
        self.images = images
        self.labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        self.class_names = list(class_names)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        x = self.images[i]
        x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
        return x, int(self.labels[i])

    def label(self, i):
        return int(self.labels[i])


class Subset:
    """The items of a dataset at the given indices."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)
        self.class_names = dataset.class_names

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        return self.dataset[int(self.indices[i])]

    def label(self, i):
        return self.dataset.label(int(self.indices[i]))


class Relabelled:
    """The same items with labels renumbered: new label = mapping[old label]."""

    def __init__(self, dataset, mapping, class_names):
        self.dataset = dataset
        self.mapping = mapping
        self.class_names = list(class_names)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        x, y = self.dataset[i]
        return x, self.mapping[y]

    def label(self, i):
        return self.mapping[self.dataset.label(i)]


# ------------------------------------------------------------------------------------------------- shapes


class _Canvas:
    """An RGB canvas of floats with anti-aliased strokes and fills (coverage from the distance to the edge)."""

    def __init__(self, h, w):
        self.h, self.w = h, w
        self.px = np.zeros((h, w, 3), dtype=np.float32)

    def fill(self, color, gradient, direction):
        ys, xs = np.mgrid[0 : self.h, 0 : self.w]
        t = ((xs / self.w - 0.5) * np.cos(direction) + (ys / self.h - 0.5) * np.sin(direction)) * 2
        self.px[:] = np.asarray(color)[None, None, :] + t[:, :, None] * np.asarray(gradient)[None, None, :]

    def _box(self, pts, pad):
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        x0 = max(0, int(np.floor(min(xs) - pad)))
        y0 = max(0, int(np.floor(min(ys) - pad)))
        x1 = min(self.w - 1, int(np.ceil(max(xs) + pad)))
        y1 = min(self.h - 1, int(np.ceil(max(ys) + pad)))
        if x1 < x0 or y1 < y0:
            return None
        ys_, xs_ = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
        return (y0, y1, x0, x1, xs_ + 0.5, ys_ + 0.5)

    def _blend(self, box, color, alpha):
        y0, y1, x0, x1 = box[:4]
        a = np.clip(alpha, 0.0, 1.0)[:, :, None]
        region = self.px[y0 : y1 + 1, x0 : x1 + 1]
        region += (np.asarray(color, dtype=np.float32)[None, None, :] - region) * a

    def stroke(self, pts, width, color, closed=False):
        segs = list(zip(pts[:-1], pts[1:]))
        if closed and len(pts) > 2:
            segs.append((pts[-1], pts[0]))
        box = self._box(pts, width / 2 + 1)
        if box is None:
            return
        px, py = box[4], box[5]
        d = np.min([_seg_dist(px, py, a, b) for a, b in segs], axis=0)
        self._blend(box, color, width / 2 + 0.5 - d)

    def fill_poly(self, pts, color):
        box = self._box(pts, 1)
        if box is None:
            return
        px, py = box[4], box[5]
        inside = np.zeros(px.shape, dtype=bool)
        d = np.full(px.shape, np.inf)
        for k in range(len(pts)):
            (xi, yi), (xj, yj) = pts[k], pts[k - 1]
            if yi != yj:  # even-odd rule: count crossings of a ray to the right
                inside ^= ((yi > py) != (yj > py)) & (px < (xj - xi) * (py - yi) / (yj - yi) + xi)
            d = np.minimum(d, _seg_dist(px, py, pts[k], pts[k - 1]))
        self._blend(box, color, np.where(inside, 0.5 + d, 0.5 - d))

    def disc(self, cx, cy, r, color):
        box = self._box([(cx - r, cy - r), (cx + r, cy + r)], 1)
        if box is None:
            return
        px, py = box[4], box[5]
        self._blend(box, color, r + 0.5 - np.hypot(px - cx, py - cy))


def _seg_dist(px, py, a, b):
    """Distance from each pixel centre (px, py) to the segment a-b."""
    vx, vy = b[0] - a[0], b[1] - a[1]
    len2 = vx * vx + vy * vy
    t = np.clip(((px - a[0]) * vx + (py - a[1]) * vy) / len2, 0, 1) if len2 > 0 else np.zeros_like(px)
    return np.hypot(px - (a[0] + t * vx), py - (a[1] + t * vy))


def _luma(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _contrasting(rng, bg, min_contrast):
    """A colour whose brightness differs from bg's by at least min_contrast."""
    for _ in range(50):
        c = rng.random(3)
        if abs(_luma(c) - _luma(bg)) >= min_contrast:
            return c
    return np.array([0.05, 0.05, 0.05]) if _luma(bg) > 0.5 else np.array([0.95, 0.95, 0.95])


def draw_shape(seed, index, h, w, c):
    """Sample index of the generated set: (H×W×C float32 image in [0, 1], label)."""
    label = index % 3
    rng = np.random.default_rng([seed, 0x5348, index])
    uniform = lambda a, b: a + (b - a) * rng.random()  # noqa: E731
    chance = lambda p: rng.random() < p  # noqa: E731
    cv = _Canvas(h, w)
    bg = rng.random(3)
    grad = rng.uniform(-0.12, 0.12, 3) if chance(0.5) else np.zeros(3)
    cv.fill(bg, grad, uniform(0, 2 * np.pi))
    fg = _contrasting(rng, bg, 0.4)
    m = min(h, w)
    lw = uniform(1, 2.6) * max(1, m / 32)

    # Faint clutter: a short low-contrast stroke now and then, so the background is not flat.
    for _ in range(int(rng.integers(3)) >> 1):
        x, y = uniform(0, w), uniform(0, h)
        length, angle, mix = uniform(0.05, 0.2) * m, uniform(0, np.pi), uniform(0.12, 0.25)
        cv.stroke([(x, y), (x + np.cos(angle) * length, y + np.sin(angle) * length)], max(1, lw * 0.7), bg + (fg - bg) * mix)

    # The object lives in a unit box (x right, y down), mapped to pixels by size, aspect, rotation and position.
    size = uniform(0.65, 0.92) * m
    aspect = uniform(0.85, 1.15)
    rot = uniform(-0.12, 0.12)
    cx = w / 2 + uniform(-0.35, 0.35) * max(0, w - size)
    cy = h / 2 + uniform(-0.35, 0.35) * max(0, h - size)
    cos, sin = np.cos(rot), np.sin(rot)

    def T(u, v):
        x, y = (u - 0.5) * size * aspect, (v - 0.5) * size
        return (cx + x * cos - y * sin, cy + x * sin + y * cos)

    filled = chance(0.3)
    if label == 0:
        # Door: a tall rectangle with a knob near one side, sometimes a panel.
        dw = uniform(0.38, 0.55)
        left, right, top = 0.5 - dw / 2, 0.5 + dw / 2, uniform(0, 0.06)
        rect = [T(left, top), T(right, top), T(right, 1), T(left, 1)]
        ku = left + dw * 0.2 if chance(0.5) else right - dw * 0.2
        kx, ky = T(ku, uniform(0.5, 0.62))
        kr = max(1.1, size * uniform(0.04, 0.06))
        if filled:
            cv.fill_poly(rect, fg)
            cv.disc(kx, ky, kr, _contrasting(rng, fg, 0.35))
        else:
            cv.stroke(rect, lw, fg, closed=True)
            cv.disc(kx, ky, kr, fg)
            if chance(0.2):
                pl, pr = left + dw * 0.18, right - dw * 0.18
                cv.stroke([T(pl, top + 0.1), T(pr, top + 0.1), T(pr, 0.42), T(pl, 0.42)], max(1, lw * 0.7), fg, closed=True)
    elif label == 1:
        # Stair: a staircase profile of 3 to 6 steps rising left or right; sometimes closed and filled.
        steps = 3 + int(rng.integers(4))
        mirror = chance(0.5)
        U = (lambda u: 1 - u) if mirror else (lambda u: u)
        pts = [T(U(0), 1)]
        for s in range(steps):
            v = 1 - (s + 1) / steps
            pts += [T(U(s / steps), v), T(U((s + 1) / steps), v)]
        if filled:
            cv.fill_poly(pts + [T(U(1), 1)], fg)
        else:
            if chance(0.4):
                pts += [T(U(1), 1), T(U(0), 1)]
            cv.stroke(pts, lw, fg)
    else:
        # Sign: a post carrying a wide board or a triangle on top.
        board_h = uniform(0.28, 0.4)
        post_u = uniform(0.45, 0.55)
        cv.stroke([T(post_u, 1), T(post_u, board_h)], lw * uniform(1, 1.6), fg)
        if chance(0.5):
            bw = uniform(0.7, 0.95)
            board = [T(0.5 - bw / 2, 0), T(0.5 + bw / 2, 0), T(0.5 + bw / 2, board_h), T(0.5 - bw / 2, board_h)]
        else:
            bw = uniform(0.55, 0.8)
            if chance(0.7):
                board = [T(0.5, 0), T(0.5 + bw / 2, board_h + 0.05), T(0.5 - bw / 2, board_h + 0.05)]
            else:
                board = [T(0.5 - bw / 2, 0), T(0.5 + bw / 2, 0), T(0.5, board_h + 0.08)]
        if filled:
            cv.fill_poly(board, fg)
        else:
            cv.stroke(board, lw, fg, closed=True)

    # Sensor noise, then clamp and convert to the requested channels (grey is the luminance).
    sigma = uniform(0, 0.06)
    px = cv.px
    if sigma > 0:
        px = px + sigma * rng.standard_normal(px.shape).astype(np.float32)
    px = np.clip(px, 0, 1)
    if c == 1:
        out = (0.299 * px[:, :, 0] + 0.587 * px[:, :, 1] + 0.114 * px[:, :, 2])[:, :, None]
    else:
        out = px[:, :, [k % 3 for k in range(c)]]
    return out.astype(np.float32), label


class ShapesDataset:
    """The built-in door / stair / sign set: size samples at h×w×c, each drawn on demand from (seed, index)."""

    def __init__(self, size, h, w, c, seed):
        self.size, self.h, self.w, self.c, self.seed = size, h, w, c, seed
        self.class_names = list(SHAPES_CLASSES)

    def __len__(self):
        return self.size

    def __getitem__(self, i):
        return draw_shape(self.seed, int(i), self.h, self.w, self.c)

    def label(self, i):
        return int(i) % 3


# ---------------------------------------------------------------------------------------------------- idx


def _find_idx(folder, base):
    """The path of an IDX file (plain or .gz, also the dotted variant train-images.idx3-ubyte), or None."""
    dotted = base.replace("-idx", ".idx", 1)
    for name in (base, base + ".gz", dotted, dotted + ".gz"):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            return p
    return None


def _read_idx(path, kind):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    name = os.path.basename(path)
    want = 2051 if kind == "images" else 2049
    if len(raw) < 8 or struct.unpack(">I", raw[:4])[0] != want:
        raise DataError("%s does not start with the IDX %s magic number %d" % (name, kind, want))
    if kind == "images":
        n, rows, cols = struct.unpack(">III", raw[4:16])
        data = np.frombuffer(raw, dtype=np.uint8, count=n * rows * cols, offset=16) if len(raw) >= 16 + n * rows * cols else None
        if data is None:
            raise DataError("%s is truncated: it should hold %d images of %d×%d" % (name, n, rows, cols))
        return data.reshape(n, rows, cols, 1)
    (n,) = struct.unpack(">I", raw[4:8])
    if len(raw) < 8 + n:
        raise DataError("%s is truncated: it should hold %d labels" % (name, n))
    return np.frombuffer(raw, dtype=np.uint8, count=n, offset=8).astype(np.int64)


def _idx_pair(folder, prefix):
    images = _find_idx(folder, prefix + "-images-idx3-ubyte")
    labels = _find_idx(folder, prefix + "-labels-idx1-ubyte")
    if (images is None) != (labels is None):
        have = images or labels
        raise DataError("'%s' has %s but not the matching %s file" % (folder, os.path.basename(have), "labels" if labels is None else "images"))
    if images is None:
        return None
    x, y = _read_idx(images, "images"), _read_idx(labels, "labels")
    if len(x) != len(y):
        raise DataError("%s holds %d images but %s holds %d labels" % (os.path.basename(images), len(x), os.path.basename(labels), len(y)))
    return x, y


def _open_idx(folder):
    if not os.path.isdir(folder):
        raise DataError("The folder '%s' does not exist (data idx needs MNIST's IDX files)." % folder)
    train, test = _idx_pair(folder, "train"), _idx_pair(folder, "t10k")
    if train is None and test is None:
        raise DataError(
            "'%s' holds no MNIST IDX files: expected train-images-idx3-ubyte and train-labels-idx1-ubyte "
            "(or the t10k- pair), each possibly ending in .gz." % folder
        )
    if train is None:  # only the t10k pair: train on it, carve the validation split off by fraction
        train, test = test, None
    return train, test


# ---------------------------------------------------------------------------------------------------- npz


def _open_npz(path):
    if not os.path.isfile(path):
        raise DataError("The file '%s' does not exist (data npz needs a MedMNIST-style .npz)." % path)
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any reading problem is the file's
        raise DataError("cannot read %s as .npz: %s" % (path, e))
    keys = set(archive.files)

    def split(name, required):
        if name + "_images" not in keys or name + "_labels" not in keys:
            if required:
                raise DataError(
                    "%s has no %s_images / %s_labels arrays (MedMNIST keys: train_images, train_labels, val_images, "
                    "val_labels, test_images, test_labels). It holds: %s." % (path, name, name, ", ".join(sorted(keys)))
                )
            return None
        x, y = archive[name + "_images"], archive[name + "_labels"]
        if x.ndim not in (3, 4):
            raise DataError("%s_images has shape %s; images must be N×H×W or N×H×W×C" % (name, x.shape))
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError("%s_labels has shape %s; labels must be N or N×1 class indices" % (name, y.shape))
        if len(x) != len(y):
            raise DataError("%s_images holds %d images but %s_labels holds %d labels" % (name, len(x), name, len(y)))
        if x.ndim == 3:
            x = x[:, :, :, None]
        return x, y.astype(np.int64)

    train = split("train", True)
    own = split("val", False) or split("test", False)
    return train, own


# ------------------------------------------------------------------------------------------------- folder

_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")


class FolderDataset:
    """DIR/<class>/<image>: decoded (with Pillow) when read, converted to the model's channels and size."""

    def __init__(self, files, labels, class_names, h, w, c):
        self.files, self.labels, self.class_names = files, np.asarray(labels, dtype=np.int64), list(class_names)
        self.h, self.w, self.c = h, w, c
        try:
            from PIL import Image  # noqa: F401
        except ImportError:
            raise DataError(
                "data folder needs Pillow to read PNG and JPEG images: pip install pillow "
                "(or sudo apt-get install python3-pil)"
            )

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        return load_image(self.files[i], self.h, self.w, self.c), int(self.labels[i])

    def label(self, i):
        return int(self.labels[i])


def load_image(path, h=None, w=None, c=None):
    """A PNG or JPEG file as an H×W×C float32 array in [0, 1] at the model's input size (default INPUT), with the
    model's channels (grey is the luminance), as CNN Studio reads images. Needs Pillow."""
    if h is None:
        h, w, c = INPUT
    try:
        from PIL import Image
    except ImportError:
        raise DataError("reading %s needs Pillow: pip install pillow (or sudo apt-get install python3-pil)" % path)
    try:
        with Image.open(path) as im:
            im = im.convert("L" if c == 1 else "RGB")
            if im.size != (w, h):
                shrinking = w <= im.size[0] and h <= im.size[1]
                im = im.resize((w, h), Image.BOX if shrinking else Image.BILINEAR)
            x = np.asarray(im, dtype=np.float32) / 255.0
    except OSError as e:
        raise DataError("cannot read %s as an image: %s" % (path, e))
    if c == 1:
        x = x[:, :, None]
    elif c != 3:
        x = x[:, :, [k % 3 for k in range(c)]]
    return np.ascontiguousarray(x)


def _open_folder(folder, h, w, c):
    if not os.path.isdir(folder):
        raise DataError("The folder '%s' does not exist (data folder needs one sub-folder of images per class)." % folder)
    classes = sorted(e for e in os.listdir(folder) if not e.startswith(".") and os.path.isdir(os.path.join(folder, e)))
    if not classes:
        raise DataError("'%s' has no class sub-folders: put the images of each class in a sub-folder named after it." % folder)
    files, labels, warnings = [], [], []
    for k, name in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(folder, name))):
            if f.startswith("."):
                continue
            if f.lower().endswith(_IMAGE_EXTENSIONS):
                files.append(os.path.join(folder, name, f))
                labels.append(k)
            else:
                warnings.append("skipped %s/%s: not a PNG or JPEG image" % (name, f))
    if not files:
        raise DataError("'%s' holds no PNG or JPEG images in its class sub-folders." % folder)
    return FolderDataset(files, labels, classes, h, w, c), warnings


# -------------------------------------------------------------------------------------------------- split


class OpenedData:
    def __init__(self, train, val, class_names, warnings, description):
        self.train, self.val, self.class_names, self.warnings, self.description = train, val, class_names, warnings, description


def _val_count(n, fraction):
    if fraction <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, int(round(n * fraction))))


def _relabel(dataset, data_names):
    """Renumber labels to the model's class order when its names are a permutation of the data's own."""
    if sorted(CLASSES) == sorted(data_names) and list(CLASSES) != list(data_names):
        mapping = [CLASSES.index(n) for n in data_names]
        return Relabelled(dataset, mapping, CLASSES)
    return dataset


def _check_size(h, w, c, what):
    if (h, w, c) != tuple(INPUT):
        raise DataError(
            "%s holds %d×%d×%d images but the model's input is %d×%d×%d: change the input line to 'input %dx%dx%d'."
            % ((what, h, w, c) + tuple(INPUT) + (h, w, c))
        )


def _check_labels(labels, what):
    if len(labels) and (labels.min() < 0 or labels.max() >= len(CLASSES)):
        raise DataError(
            "%s has labels from %d to %d but the model has %d classes: the last dense layer needs units=%d."
            % (what, labels.min(), labels.max(), len(CLASSES), labels.max() + 1)
        )


def open_data(seed, val_fraction=None, path=None):
    """Open the file's data source and split it. val_fraction: train val= (None: the source's own split, else
    data ... val=, else 0.1; 0: no validation). path overrides DATA["path"]. Returns an OpenedData."""
    kind = DATA["kind"]
    if kind is None:
        raise DataError('The .cnn file has no data line. Add one, e.g. "data shapes" (built in) or "data idx mnist/".')
    if val_fraction is not None and not 0 <= val_fraction < 1:
        raise DataError("The validation fraction must be at least 0 and below 1, got %s." % val_fraction)
    rng = np.random.default_rng(seed)
    h, w, c = INPUT
    warnings = []
    own_val = None
    if kind == "shapes":
        total = DATA["samples"]
        if total is None or total < 2:
            raise DataError("data shapes needs samples= of at least 2, got %s." % total)
        pool = ShapesDataset(total, h, w, c, seed)
        description = "generated shapes (door, stair, sign), %d samples" % total
    else:
        where = path or DATA["path"]
        where = where if os.path.isabs(where) else os.path.normpath(os.path.join(HERE, where))
        if kind == "idx":
            (x, y), test = _open_idx(where)
            _check_size(x.shape[1], x.shape[2], 1, where)
            _check_labels(y, where)
            pool = ArrayDataset(x, y, [str(k) for k in range(len(CLASSES))])
            if test is not None:
                _check_labels(test[1], where)
                own_val = ArrayDataset(test[0], test[1], pool.class_names)
        elif kind == "npz":
            (x, y), own = _open_npz(where)
            _check_size(x.shape[1], x.shape[2], x.shape[3], where)
            _check_labels(y, where)
            pool = ArrayDataset(x, y, [str(k) for k in range(len(CLASSES))])
            if own is not None:
                _check_labels(own[1], where)
                own_val = ArrayDataset(own[0], own[1], pool.class_names)
        elif kind == "folder":
            pool, warnings = _open_folder(where, h, w, c)
            if len(pool.class_names) != len(CLASSES):
                raise DataError(
                    "'%s' has %d classes (%s) but the model has %d: the last dense layer needs units=%d."
                    % (where, len(pool.class_names), ", ".join(pool.class_names), len(CLASSES), len(pool.class_names))
                )
        else:
            raise DataError("unknown data kind %r" % kind)
        description = "%s %s, %d training samples" % (kind, where, len(pool))
        if DATA["samples"] is not None:
            keep = min(DATA["samples"], len(pool))
            if keep < 1:
                raise DataError("samples=%s keeps no training data; use a positive number." % DATA["samples"])
            pool = Subset(pool, np.sort(rng.permutation(len(pool))[:keep]))
    # The validation split: none, the source's own, or a seeded fraction of the pool.
    if val_fraction == 0:
        train, val = pool, None
    elif own_val is not None:
        train, val = pool, own_val
    else:
        fraction = val_fraction if val_fraction is not None else DATA["val"] if DATA["val"] is not None else DEFAULT_VAL_FRACTION
        if not 0 <= fraction < 1:
            raise DataError("The validation fraction must be at least 0 and below 1, got %s." % fraction)
        v = _val_count(len(pool), fraction)
        order = rng.permutation(len(pool))
        train = Subset(pool, np.sort(order[v:]))
        val = Subset(pool, np.sort(order[:v])) if v > 0 else None
    names = pool.class_names
    train = _relabel(train, names)
    val = _relabel(val, names) if val is not None else None
    # Labels are in the model's class order now (or the data's own order, which the model's names then label).
    return OpenedData(train, val, list(CLASSES), warnings, description)


def collate(batch):
    """A list of (H×W×C image, label) -> (N×C×H×W float32 tensor, int64 labels), the model's layout."""
    import torch

    images = np.stack([b[0] for b in batch])
    labels = np.asarray([b[1] for b in batch], dtype=np.int64)
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels)


def to_nchw(images):
    """N×H×W×C (CNN Studio's layout, e.g. an .npy for cnn predict) -> N×C×H×W float32 tensor."""
    import torch

    return torch.as_tensor(np.asarray(images, dtype=np.float32)).permute(0, 3, 1, 2).contiguous()


if __name__ == "__main__":
    # python data.py: what the data source holds.
    d = open_data(seed=1)
    print(d.description)
    print("train", len(d.train), "validation", len(d.val) if d.val is not None else 0, "classes", d.class_names)
    for w in d.warnings:
        print("warning:", w)
`;
