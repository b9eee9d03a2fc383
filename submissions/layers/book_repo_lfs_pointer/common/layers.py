version https://git-lfs.github.com/spec/v1
oid sha256:c129ae2b341779fa00dc000d56ab9ec77490990df7f8db1cc54b96ad7701c632
size 2071
