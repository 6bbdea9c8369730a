"""The figures of the April 2026 monthly Resolution 57 report of Phú Thịnh
(/work/shared/examples/monthly-report-nq57-phu-thinh.txt), as the form nq57-monthly stores them."""

from __future__ import annotations

from typing import Any

TASKS: list[dict[str, str]] = [
    {"name": "Rà soát, nâng cấp và bảo đảm điều kiện tối thiểu phục vụ chuyển đổi số", "status": "done",
     "note": "province"},
    {"name": "Tập huấn cho cán bộ, công chức, viên chức về ứng dụng công nghệ số, kỹ năng số",
     "status": "not_started", "note": "province"},
    {"name": "Triển khai hệ thống phòng họp không giấy thông minh cấp xã",
     "status": "Hiện nay, hệ thống phòng họp không giấy đã được triển khai phục vụ các cuộc họp của khối Đảng"
               " tại địa phương; đối với UBND xã đang từng bước nghiên cứu.", "note": "province"},
    {"name": "Ứng dụng công nghệ, AI, IoT trong nông nghiệp", "status": "done", "note": "province"},
    {"name": "Xây dựng chuỗi cung ứng thông minh cho các sản phẩm OCOP", "status": "done", "note": "province"},
    {"name": "Đầu tư, nâng cấp hệ thống trang thiết bị cho Trung tâm hành chính công cấp xã.", "status": "done",
     "note": "province"},
    {"name": "Số hóa ít nhất 01 di tích trên địa bàn xã", "status": "not_started", "note": "chairman"},
    {"name": "Xây dựng bản đồ số di tích trên địa bàn xã Phú Thịnh", "status": "not_started", "note": "chairman"},
    {"name": "Tiếp tục thực hiện có hiệu quả mô hình Chợ 4.0 - Chợ thanh toán không dùng tiền mặt",
     "status": "done", "note": "chairman"},
    {"name": "100% sản phẩm OCOP được quảng bá và bán trên một trong các sàn thương mại điện tử",
     "status": "done", "note": "chairman"},
    {"name": "Thực hiện kiểm tra qua môi trường số", "status": "in_progress", "note": "chairman"},
    {"name": "Duy trì và phát huy hiệu quả hệ thống camera giám sát tại xã", "status": "done", "note": "chairman"},
]

TARGETS: dict[str, Any] = {
    "coverage_5g": "72.5", "broadband_1gbps": "100", "fiber_hamlets": "100", "officials_equipped": "100",
    "officials_basic_skills": "100", "officials_digital_mastery": "100", "adults_digital_services": "90",
    "procedures_online_business": "100",
    "contactless": "Không phát sinh thủ tục hành chính thuộc diện “phi tiếp xúc” trong kỳ báo cáo",
    "records_digitized": "99.9", "online_services_full": "100", "dossiers_processed_online": "100",
    "e_results_issued": "100", "satisfaction": "100", "online_payment": "99.67",
}

ANSWERS: dict[str, Any] = {
    "meetings": 0,
    "tasks_assigned": 12, "tasks_done": 6, "tasks_done_on_time": 6, "tasks_done_late": 0,
    "tasks_in_progress": 6, "tasks_overdue": 0,
    "feedback_received": 0, "feedback_resolved": 0, "initiatives_sent": 0,
    "budget_needed": "0", "budget_allocated": "556", "budget_disbursed": "0",
    "procedures_total": 414, "procedures_online_full": 35, "procedures_online_partial": 379,
    "procedures_in_person": 0,
    "dossiers_received": 1484, "dossiers_resolved": 1483, "dossiers_online": 1484, "dossiers_online_full": 1247,
    "digitized": 1410, "digitized_of": 1411, "e_results": 1409, "e_results_of": 1483,
    "data_reuse_pct": "97.25",
    "plans": [{"number": "39/KH-UBND", "date": "30/01/2026",
               "summary": "Triển khai thực hiện Nghị quyết số 57-NQ/TW năm 2026 trên địa bàn xã Phú Thịnh"}],
    "proposals_politburo": "Không có kiến nghị, đề xuất.",
    "tasks": TASKS,
    "targets": TARGETS,
}
