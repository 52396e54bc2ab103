"""The plain one-person MediaPipe script gaitlab is measured against (benchmarks/speed_vs_plain.py).

What a user would write without gaitlab: OpenCV decodes the video, MediaPipe's Tasks
``PoseLandmarker`` (the same BlazePose full bundle gaitlab ships, one person, video mode)
finds the landmarks of every frame, and they are written to a CSV file. No tracking of
several people, no cleaning, no measures: the floor any pose-based tool stands on.

Usage:
    python benchmarks/plain_mediapipe.py VIDEO OUT.csv --model BUNDLE.task
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("video", type=Path)
    ap.add_argument("out", type=Path, help="CSV: frame, t_ms, then x, y, visibility per landmark")
    ap.add_argument(
        "--model",
        type=Path,
        required=True,
        help="pose landmarker .task bundle (gaitlab's: python -m gaitlab info)",
    )
    args = ap.parse_args()
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(args.model)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    capture = cv2.VideoCapture(str(args.video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    with (
        vision.PoseLandmarker.create_from_options(options) as landmarker,
        args.out.open("w", newline="") as f,
    ):
        writer = csv.writer(f)
        index = 0
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            t_ms = int(round(index * 1000.0 / fps))
            result = landmarker.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), t_ms
            )
            row: list[float] = [index, t_ms]
            for landmarks in result.pose_landmarks[:1]:
                for lm in landmarks:
                    row += [round(lm.x, 5), round(lm.y, 5), round(lm.visibility or 0.0, 3)]
            writer.writerow(row)
            index += 1
    capture.release()
    print(f"{args.video.name}: {index} frames")


if __name__ == "__main__":
    main()
