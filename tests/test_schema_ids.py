"""The field ids of template-spec.md, written out by hand so tests do not trust our schema."""

from __future__ import annotations

FIELDS = """tt_ma_don_vi tt_ten_don_vi tt_loai_hinh tt_so_dang_vien tt_so_chi_bo tt_nguoi_bao_cao
tt_chuc_vu tt_dien_thoai tt_email tt_ngay_bao_cao tt_xac_nhan tt_phien_ban kd_lanh_dao_thuc_hien
kd_dieu_le_tap_trung_dan_chu kd_doan_ket_noi_bo kd_phuong_thuc_lanh_dao kd_tu_phe_binh
kd_hoc_tap_lam_theo_bac kd_han_che kd_nguyen_nhan_chu_quan kd_nguyen_nhan_khach_quan kd_bai_hoc
kd_bien_phap_khac_phuc kd_nhiem_vu_giai_phap ks_kt_to_chuc ks_kt_dang_vien ks_ktdh_to_chuc
ks_ktdh_dang_vien ks_ktdh_co_vi_pham ks_kt_tai_chinh ks_gs_to_chuc ks_gs_dang_vien ks_kl_to_chuc
ks_kl_dang_vien ks_kl_khien_trach ks_kl_canh_cao ks_kl_cach_chuc ks_kl_khai_tru ks_to_cao_nhan
ks_to_cao_giai_quyet ks_khieu_nai_nhan ks_khieu_nai_giai_quyet hc_bang""".split()
RATES = "ho_ngheo bhyt nuoc_sach lao_dong_dao_tao giao_quan chi_bo_htt dang_vien_htt".split()
PLAIN = "tang_truong thu_nhap thu_ngan_sach san_luong_lua san_luong_thuy_san tieu_chi_ntm ket_nap_dang_vien".split()


def spec_ids() -> set[str]:
    names = set(FIELDS)
    for x in RATES + PLAIN:
        names |= {f"ct_{x}_{p}" for p in ("nq", "kq", "du_bao", "ghi_chu")}
    for x in RATES:
        names |= {f"ct_{x}_tu_so", f"ct_{x}_mau_so"}
    # The indicator table's roll-up of thu_nhap: "weighted by population (a Dân số field on
    # Thông tin for xã and thị trấn)".
    names.add("tt_dan_so")
    return names
