"""Vietnamese texts shown to users. Kept together so wording is reviewed in one place."""

from __future__ import annotations

GREETING_STRANGER = (
    "Xin chào Anh/Chị! Đây là bot báo cáo tuần về giải quyết thủ tục hành chính "
    "và chuyển đổi số của các xã, phường.\n\n"
    "Tài khoản của Anh/Chị chưa được đăng ký. Anh/Chị vui lòng liên hệ quản trị viên "
    "của tỉnh để nhận đường liên kết mời, rồi bấm vào đường liên kết đó để bắt đầu."
)

GREETING_KNOWN = "Xin chào {name}! {what}\n\nGõ /help để xem các lệnh."

WHAT_REPORTER = "Anh/Chị là cán bộ báo cáo của {unit}. Gõ /baocao để nhập báo cáo tuần."
WHAT_SUPERVISOR = "Anh/Chị theo dõi báo cáo của {unit}. Gõ /tonghop để xem tổng hợp."
WHAT_ADMIN = "Anh/Chị là quản trị viên. Gõ /moi để tạo lời mời, /nguoidung để quản lý người dùng."

HELP_STRANGER = (
    "Anh/Chị chưa được đăng ký. Vui lòng liên hệ quản trị viên của tỉnh để nhận đường liên kết mời."
)
HELP_HEADER = "Các lệnh Anh/Chị có thể dùng:"

ERROR_GENERIC = (
    "Xin lỗi Anh/Chị, hệ thống vừa gặp lỗi khi xử lý yêu cầu. Các câu trả lời đã lưu không bị mất. "
    "Anh/Chị vui lòng thử lại sau ít phút; nếu vẫn lỗi, xin báo quản trị viên."
)

STRAY_MEDIA = (
    "Bot chỉ nhận câu trả lời bằng chữ và số; ảnh, nhãn dán, tin nhắn thoại hay tệp không được lưu. "
    "Anh/Chị vui lòng gõ câu trả lời, hoặc gõ /help để xem các lệnh."
)
STRAY_TEXT = "Bot chưa hiểu tin nhắn này. Anh/Chị vui lòng gõ /help để xem các lệnh."
UNKNOWN_COMMAND = "Lệnh {command} không có. Anh/Chị vui lòng gõ /help để xem các lệnh."
STALE_BUTTON = "Nút này đã cũ. Anh/Chị vui lòng dùng tin nhắn mới nhất."
GROUP_ONLY_PRIVATE = "Bot chỉ làm việc trong tin nhắn riêng. Anh/Chị vui lòng nhắn riêng cho bot."

INVITE_INVALID = (
    "Đường liên kết mời không hợp lệ. Anh/Chị vui lòng kiểm tra lại đường liên kết, "
    "hoặc xin quản trị viên gửi lời mời mới."
)
INVITE_USED = "Lời mời này đã được sử dụng. Mỗi lời mời chỉ dùng được một lần; vui lòng xin quản trị viên lời mời mới."
INVITE_EXPIRED = "Lời mời này đã hết hạn. Anh/Chị vui lòng xin quản trị viên gửi lời mời mới."
INVITE_REVOKED = "Lời mời này đã bị thu hồi. Anh/Chị vui lòng liên hệ quản trị viên."
ALREADY_REGISTERED = "Tài khoản của Anh/Chị vẫn đang hoạt động bình thường; gõ /help để xem các lệnh."
NOT_ALLOWED = "Anh/Chị không có quyền dùng lệnh này."
