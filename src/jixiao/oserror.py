"""What went wrong with a file, in Chinese: the operating system's own text (`OSError.strerror`,
「No such file or directory」) is English and follows the machine's locale."""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EISDIR: "是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "已存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EMFILE: "打开的文件太多",
    errno.EIO: "读写出错（输入/输出错误）",
    errno.EFBIG: "文件太大",
    errno.ELOOP: "符号链接循环",
}


def os_reason(e: OSError) -> str:
    """The reason of `e` in Chinese (the errno's name where there is no wording for it)."""
    if e.errno in _REASONS:
        return _REASONS[e.errno]
    name = errno.errorcode.get(e.errno or 0)
    return f"系统错误 {name}" if name else "系统错误"


def opening_reason(e: OSError) -> str:
    """`os_reason` for a path that may be an input or an output (a missing output's folder)."""
    if e.errno == errno.ENOENT:
        return "文件或所在文件夹不存在"
    return os_reason(e)
