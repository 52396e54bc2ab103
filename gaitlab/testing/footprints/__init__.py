"""Synthetic wet-foot prints with known geometry, and phone-photo-like renderings of them.

Every footprint test starts here: a parametric print (heel, a midfoot band on the lateral
side whose narrowest width is set, forefoot, toe pads as separate blobs in front) is
rasterised at high resolution, its true indices are computed from that clean binary shape
with the definitions of :mod:`gaitlab.footprint.definitions`, and :func:`render_photo` puts it
on a sheet of paper (or brown cardboard) lying on a floor and photographs it with a pinhole camera:
tilt, roll, uneven light, a soft shadow, paper texture, blur, noise and JPEG.
:func:`render_sheet` puts several prints on one sheet (:func:`both_feet`: a left and a right
print side by side, as on a podiatry form), optionally printed like an ink mat (a
cross-hatched grid) on a form with a frame, labels, a ruler and a logo.

No real footprint photos with a licence that allows keeping them in the repository were
found, so the real-world cases (ink mats, cardboard, forms, high arches in pieces) are
synthetic, made to look like the real ones.

Conventions
-----------
Foot frame (millimetres)
    ``x`` along the foot from the back of the heel (``x = 0``) towards the toes; ``y``
    across it, positive towards the *lateral* side (little toe) for a right foot. A left
    foot is the mirror image (lateral towards ``-y``). The rasterised masks store row ``i``,
    column ``j`` at ``y = y0_mm + i / px_per_mm``, ``x = x0_mm + j / px_per_mm``.
Paper frame (millimetres)
    Origin at the centre of the sheet, ``X`` right, ``Y`` down as seen from a camera straight
    above with no roll (the sheet is portrait: width along ``X``). A print with
    ``print_angle_deg = 0`` points its toes up the sheet (towards ``-Y``).
Image
    Pixels, ``x`` right, ``y`` down; images are BGR ``uint8`` (the OpenCV order).
"""

from gaitlab.testing.footprints.photo import (
    PAPER_SIZES_MM,
    Placement,
    both_feet,
    render_photo,
    render_scene,
    render_sheet,
)
from gaitlab.testing.footprints.shape import (
    FootprintShape,
    FootprintTruth,
    SyntheticPrint,
    make_print,
)

__all__ = [
    "FootprintShape",
    "FootprintTruth",
    "PAPER_SIZES_MM",
    "Placement",
    "SyntheticPrint",
    "both_feet",
    "make_print",
    "render_photo",
    "render_scene",
    "render_sheet",
]
