"""A few pictures spread over a video, decoded cheaply (a look at the whole video before
every frame is decoded: which way up it is)."""

from __future__ import annotations

import av
import numpy as np

from gaitlab.io.video import VideoReader, _clean, _open_input, _video_stream

__all__ = ["sample_pictures"]


def sample_pictures(reader: VideoReader, n: int) -> list[np.ndarray]:
    """Up to ``n`` upright pictures spread evenly over the video, decoding little.

    The k-th is the first frame at or after ``(k + 0.5) / n`` of the duration. Packets
    are read without decoding until one reaches a target time; only that group of
    pictures is decoded, from its keyframe on (a phone keyframes every second or two),
    so a long video costs a read of the file and ``n`` short decodes. Pictures for a
    look at the whole video (which way up it is), not tied to frame indices. When fewer
    than ``n`` are found that way (damaged timestamps), the first ``n`` frames.
    """
    if n < 1:
        return []
    container = _open_input(reader.path)
    try:
        stream = _video_stream(container, _clean(reader.path))
        # no frame threads: their delayed output gets out of step across flush_buffers
        images = _sample_groups(reader, container, stream, n)
    finally:
        container.close()
    if len(images) < n:
        first = [f.image for _, f in zip(range(n), reader, strict=False)]
        images = first if len(first) > len(images) else images
    return images


def _sample_groups(
    reader: VideoReader, container: av.container.InputContainer, stream: av.VideoStream, n: int
) -> list[np.ndarray]:
    info = reader.info
    tb = float(stream.time_base) if stream.time_base else 0.0
    if tb <= 0 or info.duration_s <= 0:
        return []
    start = stream.start_time or 0
    half_frame_s = 0.5 / max(info.fps, 1.0)
    targets = [info.duration_s * (k + 0.5) / n - half_frame_s for k in range(n)]
    to_rgb = reader.converter()
    images: list[np.ndarray] = []
    group: list[av.Packet] = []  # packets since the last keyframe, not yet decoded
    live = False  # the decoder holds this group from its keyframe on
    try:
        for packet in container.demux(stream):
            if packet.is_keyframe:
                group = []
                if live:
                    stream.codec_context.flush_buffers()
                    live = False
            group.append(packet)
            due = packet.pts is not None and (packet.pts - start) * tb >= targets[0]
            if not (live or due):
                continue
            live = True
            for vf in (f for p in group for f in _decode_packet(stream, p)):
                if targets and (vf.pts is None or (vf.pts - start) * tb >= targets[0]):
                    images.append(to_rgb(vf))
                    targets.pop(0)
            group = []
            if not targets:
                break
    except av.FFmpegError:  # damaged or truncated: what was found so far
        pass
    return images


def _decode_packet(stream: av.VideoStream, packet: av.Packet) -> list[av.VideoFrame]:
    """The frames one packet gives; none for a packet the decoder rejects."""
    try:
        return stream.decode(packet)
    except av.FFmpegError:
        return []
